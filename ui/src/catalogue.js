// The endpoint catalogue of the Python side (ayx_plugins/server_api), generated per method.
import endpoints from './generated/endpoints.json';

export const endpointsFor = (method) => endpoints[method] || [];
export const endpointByName = (method, name) => endpointsFor(method).find((e) => e.name === name) || null;
export const placeholders = (path) => {
  const out = [];
  String(path || '').replace(/{([^}/]+)}/g, (m, p) => { out.push(p); return m; });
  return out;
};
