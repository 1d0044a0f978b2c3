import React, { useContext, useEffect } from 'react';
import { Box, Link, Typography } from '@alteryx/ui';
import { Context as UiSdkContext } from '@alteryx/react-comms';
import {
  HELP_URL, SECRET_KEY, VERSION, normalize, stableJson, toolSpec,
} from './schema';
import { incomingFields } from './fields';
import { validate } from './validate';
import AuthenticatePanel from './panels/AuthenticatePanel';
import RunnerPanel from './panels/RunnerPanel';
import JobStatusPanel from './panels/JobStatusPanel';
import ApiRequestPanel from './panels/ApiRequestPanel';

const PANELS = {
  ServerAuthenticate: AuthenticatePanel,
  ServerRunner: RunnerPanel,
  ServerJobStatus: JobStatusPanel,
  ServerGet: ApiRequestPanel,
  ServerPost: ApiRequestPanel,
  ServerPut: ApiRequestPanel,
  ServerDelete: ApiRequestPanel,
};

// Secrets go to Designer in model.Secrets so it encrypts them; 'obfuscation' is the one mode a
// workflow can carry to Server (machine/user modes decrypt only where they were written).
const ENCRYPTION_MODE = 'obfuscation';

const App = ({ toolClass }) => {
  const [model, handleUpdateModel] = useContext(UiSdkContext);
  const spec = toolSpec(toolClass);
  const cfg = normalize(toolClass, model.Configuration);
  const secretEntry = (model.Secrets || {})[SECRET_KEY];
  // After a save react-comms keeps the encrypted text in the model: still a secret that is set.
  const secret = (secretEntry && secretEntry.text) || '';
  const fields = incomingFields(model);

  // Write the full, typed configuration back whenever Designer hands us one (and on first
  // render): what Designer saves then always has every model field, even if nothing is touched.
  useEffect(() => {
    if (stableJson(model.Configuration || {}) !== stableJson(cfg)) {
      handleUpdateModel({ ...model, Configuration: cfg });
    }
  });

  const set = (patch) => handleUpdateModel({ ...model, Configuration: { ...cfg, ...patch } });
  const setSecret = (text) => handleUpdateModel({
    ...model,
    Configuration: cfg,
    Secrets: { ...(model.Secrets || {}), [SECRET_KEY]: { text, encryptionMode: ENCRYPTION_MODE } },
  });
  const errors = validate(toolClass, cfg, secret, fields, spec.method);
  const Panel = PANELS[toolClass];
  const problems = Object.keys(errors).map((k) => errors[k]);

  return (
    <Box p={2} maxWidth={560}>
      <Typography variant="h5" component="h1">{spec.displayName}</Typography>
      <Typography variant="body2" color="textSecondary" gutterBottom>
        {spec.description}
        {' · '}
        <Link href={HELP_URL} target="_blank" rel="noopener noreferrer">Help</Link>
        {` · v${VERSION}`}
      </Typography>
      <Box role="status" aria-label="Problems" mb={1}>
        {problems.length ? (
          <Box border={1} borderColor="error.main" borderRadius={4} p={1}>
            <Typography variant="subtitle2" color="error">Fix before running:</Typography>
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {problems.map((p) => <li key={p}><Typography variant="body2" color="error">{p}</Typography></li>)}
            </ul>
          </Box>
        ) : (
          <Typography variant="body2" color="textSecondary">Configuration is complete.</Typography>
        )}
      </Box>
      <Panel
        toolClass={toolClass}
        spec={spec}
        cfg={cfg}
        set={set}
        secret={secret}
        setSecret={setSecret}
        fields={fields}
        errors={errors}
      />
    </Box>
  );
};

export default App;
