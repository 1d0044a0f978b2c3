// One bundle, emitted into every tool's folder: dist/<ToolClass>/{index.html, app.js}.
// Each folder must be self-contained (Designer loads it from the tool's own directory), and the
// panel learns which tool it is from index.html's data-tool attribute, so one compile serves all.
const path = require('path');
const { Compilation, sources } = require('webpack');
const esbuild = require('esbuild');
const { tools } = require('./src/generated/tools.json');

const escapeHtml = (text) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const indexHtml = (tool) => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(tool.displayName)}</title>
</head>
<body>
<div id="app" data-tool="${escapeHtml(tool.className)}"></div>
<script src="app.js"></script>
</body>
</html>
`;

// Terser takes minutes on @alteryx/ui's bundle on a 2-core machine; esbuild minifies it in about a
// second (its binary comes from the npm registry like any package, nothing is downloaded).
class EsbuildMinify {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('EsbuildMinify', (compilation) => {
      compilation.hooks.processAssets.tapPromise(
        { name: 'EsbuildMinify', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE },
        async (assets) => {
          for (const name of Object.keys(assets).filter((n) => n.endsWith('.js'))) {
            const { code } = await esbuild.transform(assets[name].source().toString(), {
              minify: true, target: 'chrome80', legalComments: 'eof', charset: 'utf8',
            });
            compilation.updateAsset(name, new sources.RawSource(code));
          }
        },
      );
    });
  }
}

class PerToolFolders {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('PerToolFolders', (compilation) => {
      compilation.hooks.processAssets.tap(
        // after minification, so every folder gets the final bytes
        { name: 'PerToolFolders', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_TRANSFER },
        (assets) => {
          const built = Object.keys(assets);
          for (const tool of tools) {
            for (const name of built) {
              compilation.emitAsset(`${tool.className}/${name}`, assets[name]);
            }
            compilation.emitAsset(`${tool.className}/index.html`, new sources.RawSource(indexHtml(tool)));
          }
          for (const name of built) compilation.deleteAsset(name);
        },
      );
    });
  }
}

module.exports = (env, argv) => ({
  mode: argv.mode || 'production',
  entry: './src/index.js',
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: 'app.js',
    clean: true,
  },
  resolve: { extensions: ['.js', '.jsx'] },
  module: {
    rules: [
      {
        test: /\.jsx?$/,
        include: path.resolve(__dirname, 'src'),
        use: {
          loader: 'babel-loader',
          options: { presets: [['@babel/preset-react', { runtime: 'classic' }]], cacheDirectory: false },
        },
      },
    ],
  },
  // Designer's embedded browser loads from disk: no source maps with build paths, no chunks.
  devtool: false,
  performance: { hints: false },
  optimization: { splitChunks: false, runtimeChunk: false, minimizer: [new EsbuildMinify()] },
  plugins: [new PerToolFolders()],
});
