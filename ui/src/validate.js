// What the panel refuses before Designer ever runs the tool: schema bounds (from config.py) and
// the combinations that only make sense together. Returns {key: message}; '_' is panel-wide.
import {
  propsOf, typeOf, bounds, enumOf, nullable, has, CONNECTION_FIELDS,
} from './schema';
import { paramInfo } from './params';
import { endpointByName, placeholders } from './catalogue';

export const LABELS = {
  serverUrl: 'Server URL',
  apiKey: 'API key',
  apiSecret: 'API secret',
  dcmConnectionId: 'DCM connection ID',
  requestTimeoutSeconds: 'Request timeout (seconds)',
  concurrency: 'Requests at the same time',
  pollSeconds: 'Poll every (seconds)',
  waitTimeoutSeconds: 'Wait up to (seconds)',
  caBundle: 'Certificate authority file (PEM)',
  workflow: 'Workflow',
  workflowField: 'Workflow field',
  questionsJsonField: 'Questions JSON field',
  questionFields: 'Question fields',
  jobIdField: 'Job ID field',
  urlField: 'Server URL field',
  keyField: 'API key field',
  secretField: 'API secret field',
  outputFolder: 'Output folder',
  path: 'Path',
  bodyField: 'Body JSON field',
  bodyFields: 'Body fields',
  bodyTemplate: 'Body template (JSON)',
  fileField: 'File to upload (path field)',
  workerTag: 'Worker tag',
  credentialId: 'Credential ID',
  outputFormat: 'Output format',
  fileFolder: 'Save files in folder',
  fileNameField: 'File name field',
  fileNameTemplate: 'File name',
  onRecordFailure: 'When a record fails',
  maxInFlight: 'Max jobs at once',
  queuedWarnSeconds: 'Warn when a job stays queued for (seconds)',
  cancelOnTimeout: 'Cancel the job at the timeout',
  checkQuestions: 'Check the questions (before a job starts)',
  stepField: 'Step ID field',
  dependsOnField: 'Depends on field',
  mode: 'Each record is',
};
export const label = (key) => LABELS[key] || key;

const schemaErrors = (toolClass, cfg, errors) => {
  const props = propsOf(toolClass);
  Object.keys(props).forEach((key) => {
    const prop = props[key];
    const t = typeOf(prop);
    const v = cfg[key];
    if (t === 'number' || t === 'integer') {
      if (v === '' || v === null) {
        if (!nullable(prop)) errors[key] = `${label(key)} needs a number`;
        return;
      }
      if (typeof v !== 'number') { errors[key] = `${label(key)} must be a number`; return; }
      if (t === 'integer' && !Number.isInteger(v)) { errors[key] = `${label(key)} must be a whole number`; return; }
      const b = bounds(prop);
      if (b.min !== undefined && v < b.min) errors[key] = `${label(key)} must be at least ${b.min}`;
      else if (b.exclusiveMin !== undefined && v <= b.exclusiveMin) errors[key] = `${label(key)} must be more than ${b.exclusiveMin}`;
      else if (b.max !== undefined && v > b.max) errors[key] = `${label(key)} must be at most ${b.max}`;
    }
    const choices = enumOf(prop);
    if (choices && !choices.includes(v)) errors[key] = `${label(key)}: choose one of ${choices.filter(Boolean).join(', ')}`;
  });
};

const fieldExists = (fields, name) => !fields.length || fields.some((f) => f.name === name);

// The {Name} placeholders of a file name template, and of a JSON body template's keys and
// string values (the same rule as api_request.template_names).
export const templateNames = (text) => {
  const out = [];
  String(text || '').replace(/{([^{}]+)}/g, (m, n) => { if (!out.includes(n)) out.push(n); return m; });
  return out;
};
export const jsonTemplateNames = (value) => {
  const out = [];
  const walk = (node) => {
    if (typeof node === 'string') templateNames(node).forEach((n) => { if (!out.includes(n)) out.push(n); });
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.keys(node).forEach((k) => { walk(k); walk(node[k]); });
  };
  walk(value);
  return out;
};

export const validate = (toolClass, cfg, secret, fields, method, connectionFields = []) => {
  const errors = {};
  schemaErrors(toolClass, cfg, errors);
  const need = (key, ok, message) => { if (!ok && !errors[key]) errors[key] = message; };
  const pick = (key, required, what) => {
    const v = cfg[key];
    if (!v) { if (required) need(key, false, `Choose the ${what}`); return; }
    need(key, fieldExists(fields, v), `Field "${v}" is not in the incoming data`);
  };

  const perRecordCreds = toolClass === 'ServerAuthenticate' && (cfg.source === 'fields' || cfg.source === 'incoming');
  if (cfg.source === 'configured' || perRecordCreds) {
    const url = cfg.serverUrl.trim();
    if (!perRecordCreds || !cfg.urlField) {
      need('serverUrl', url !== '', 'Enter the Server URL');
      need('serverUrl', url === '' || /^https?:\/\/[^\s/]+/i.test(url), 'The Server URL must start with http:// or https://');
    }
    if (!perRecordCreds) {
      need('apiKey', cfg.apiKey.trim() !== '', 'Enter the API key');
      need('apiSecret', Boolean(secret), 'Enter the API secret');
    }
  } else if (cfg.source === 'dcm') {
    need('dcmConnectionId', (cfg.dcmConnectionId || '').trim() !== '', 'Enter the DCM connection ID');
  } else if (cfg.source === 'anchor') {
    if (!connectionFields.length && fields.length) {
      errors.source = "Connect Server Authenticate's Success output to this tool's Connection (C) input";
    } else if (connectionFields.length) {
      const missing = CONNECTION_FIELDS.filter((n) => !connectionFields.some((f) => f.name === n));
      if (missing.length) {
        errors.source = `The Connection input has no ${missing.join(' or ')} field: connect Server Authenticate's Success output to it`;
      }
    }
  } else if (cfg.source === 'incoming') {
    const missing = CONNECTION_FIELDS.filter((n) => !fields.some((f) => f.name === n));
    if (missing.length) {
      errors.source = `The incoming data has no ${missing.join(' or ')} field: connect the Server Authenticate tool's output`;
    }
  }
  if (perRecordCreds) {
    pick('urlField', false, 'Server URL field');
    pick('keyField', true, 'field holding the API key');
    pick('secretField', true, 'field holding the API secret');
  }
  if (!cfg.verifyTls && cfg.caBundle) need('caBundle', false, 'A CA bundle has no effect when TLS verification is off');

  if (has(toolClass, 'wait') && cfg.wait) {
    if (cfg.pollSeconds === '') errors.pollSeconds = 'Waiting for the job needs a poll interval';
    if (typeof cfg.waitTimeoutSeconds === 'number' && typeof cfg.pollSeconds === 'number') {
      need('waitTimeoutSeconds', cfg.waitTimeoutSeconds >= cfg.pollSeconds,
        'The timeout must be at least one poll interval');
    }
    need('waitTimeoutSeconds', cfg.waitTimeoutSeconds === '' || cfg.waitTimeoutSeconds > 0,
      'The timeout must be more than 0 (empty: wait forever)');
  }

  if (toolClass === 'ServerRunner') {
    const wf = has(toolClass, 'workflow') ? 'workflow' : 'workflowId';
    const wfField = has(toolClass, 'workflowField') ? 'workflowField' : 'workflowIdField';
    if (cfg.mode === 'plan') {
      pick('stepField', true, 'field holding each step\'s ID');
      pick('dependsOnField', false, 'field holding the steps it depends on');
      pick(wfField, true, 'field holding each step\'s workflow');
    } else {
      if (!cfg[wf] && !cfg[wfField]) {
        errors[wf] = 'Enter the workflow (ID, Gallery URL or name) or choose the field that holds it';
      }
      if (cfg[wfField]) pick(wfField, true, 'workflow field');
    }
    if (cfg.questionsMode === 'fields') {
      need('questionFields', cfg.questionFields.length > 0, 'Tick at least one field to send as a question');
      cfg.questionFields.forEach((f) => need('questionFields', fieldExists(fields, f), `Field "${f}" is not in the incoming data`));
    }
    if (cfg.questionsMode === 'json') pick('questionsJsonField', true, 'field holding the questions JSON');
    if (cfg.downloadOutputs) {
      need('downloadOutputs', cfg.wait, 'Downloading outputs needs "Wait for the job to finish"');
      need('outputFolder', cfg.outputFolder.trim() !== '', 'Enter the folder to download outputs into');
    }
    if (cfg.apiVersion === 'v1' && (cfg.priority || cfg.workerTag || cfg.credentialId)) {
      need('apiVersion', false, 'Priority, worker tag and credential need the v3 API');
    }
  }

  if (toolClass === 'ServerJobStatus') pick('jobIdField', true, 'field holding the job ID');

  if (method) {
    const ep = cfg.endpoint ? endpointByName(method, cfg.endpoint) : null;
    if (cfg.endpoint && !ep) errors.endpoint = `"${cfg.endpoint}" is not a ${method} endpoint of the catalogue`;
    need('path', cfg.endpoint !== '' || cfg.path.trim() !== '', 'Choose an endpoint or enter a path');
    const params = placeholders(ep ? ep.path : cfg.path);
    const fixedPath = cfg.pathParamFixed || {};
    params.forEach((p) => {
      const f = cfg.pathParamFields[p];
      const name = paramInfo(p).label;
      if (p in fixedPath && !f) {
        if (!String(fixedPath[p]).trim()) errors[`pathParam:${p}`] = `Enter the ${name}`;
      } else if (!f) errors[`pathParam:${p}`] = `Choose the field holding the ${name}`;
      else if (!fieldExists(fields, f)) errors[`pathParam:${p}`] = `Field "${f}" is not in the incoming data`;
    });
    Object.keys(cfg.pathParamFields).concat(Object.keys(fixedPath)).forEach((p) => {
      if (!params.includes(p)) errors[`pathParam:${p}`] = `{${p}} is not a parameter of this path`;
    });
    Object.keys(cfg.queryFields).forEach((q) => {
      const f = cfg.queryFields[q];
      if (!q) errors.queryFields = 'A query parameter needs a name';
      else if (!f) errors[`query:${q}`] = `Choose the field for "${paramInfo(q).label}"`;
      else if (!fieldExists(fields, f)) errors[`query:${q}`] = `Field "${f}" is not in the incoming data`;
    });
    if (ep) {
      ep.query.filter((q) => q.required).forEach((q) => {
        if (!(q.name in cfg.queryFixed) && !(q.name in cfg.queryFields)) {
          errors[`query:${q.name}`] = `The endpoint needs "${paramInfo(q.name).label}"`;
        }
      });
    }
    if ((method === 'GET' || method === 'DELETE') && cfg.bodyMode !== 'none') {
      errors.bodyMode = `A ${method} request has no body`;
    }
    if (ep && ep.bodyRequired && cfg.bodyMode === 'none') errors.bodyMode = 'This endpoint needs a request body';
    if (cfg.bodyMode === 'jsonField') pick('bodyField', true, 'field holding the JSON body');
    if (cfg.bodyMode === 'fields') {
      need('bodyFields', cfg.bodyFields.length > 0, 'Tick at least one field for the body');
      cfg.bodyFields.forEach((f) => need('bodyFields', fieldExists(fields, f), `Field "${f}" is not in the incoming data`));
    }
    if (cfg.bodyMode === 'template') {
      let parsed = null;
      try { parsed = JSON.parse(cfg.bodyTemplate); } catch (e) {
        errors.bodyTemplate = cfg.bodyTemplate.trim() ? `The body template is not valid JSON (${e.message})` : 'Enter the body template';
      }
      if (parsed !== null) {
        jsonTemplateNames(parsed).forEach((n) => need('bodyTemplate', fieldExists(fields, n), `{${n}} in the body template is not an incoming field`));
      }
    }
    if (cfg.bodyMode === 'multipart') {
      if (ep && !ep.files.length && !ep.form.length) errors.bodyMode = 'This endpoint takes no form upload';
      pick('fileField', ep ? ep.files.length > 0 : false, 'field holding the path of the file to upload');
      const fixedForm = cfg.formFixed || {};
      Object.keys(cfg.formFields).forEach((k) => {
        const f = cfg.formFields[k];
        if (!f) errors[`form:${k}`] = `Choose the field for "${paramInfo(k).label}"`;
        else if (!fieldExists(fields, f)) errors[`form:${k}`] = `Field "${f}" is not in the incoming data`;
      });
      if (ep) {
        ep.form.filter((p) => p.required).forEach((p) => {
          if (!cfg.formFields[p.name] && !String(fixedForm[p.name] || '').trim()) {
            errors[`form:${p.name}`] = `The endpoint needs "${paramInfo(p.name).label}"`;
          }
        });
      }
    }
    if (cfg.outputMode === 'file') {
      need('fileFolder', (cfg.fileFolder || '').trim() !== '', 'Enter the folder to save the files in');
      if (cfg.fileNameField) pick('fileNameField', true, 'field holding the file name');
      else {
        templateNames(cfg.fileNameTemplate || '').forEach((n) => need('fileNameTemplate',
          params.includes(n) || fieldExists(fields, n), `{${n}} in the file name is neither a path parameter nor an incoming field`));
      }
    }
  }
  return errors;
};
