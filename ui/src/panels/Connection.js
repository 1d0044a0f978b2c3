// The parts every panel shares: the one Connection component (the three connection sources),
// the Advanced section (closed by default) and the waiting options.
import React from 'react';
import {
  Check, Choice, Collapsible, FieldPick, Note, NumberText, Section, Text,
} from '../components';
import {
  describe, enumOf, has, propsOf, typeOf,
} from '../schema';
import { label } from '../validate';

const SOURCE_LABELS = {
  configured: 'Set in this tool',
  dcm: 'Data Connection Manager (DCM)',
  anchor: 'From the Connection input (Server Authenticate)',
  fields: 'From input fields (one login per record)',
  incoming: 'From the incoming Server Authenticate fields',
};
const AUTH_LABELS = { oauth2: 'OAuth 2 (Server 2021.4 and later)', oauth1: 'OAuth 1.0a (Server before 2022.1)' };
const VALUE_LABELS = {
  onRecordFailure: {
    warn: 'Warn in the Results window (default)',
    error: 'Report an error (Server marks the job failed)',
    ignore: 'Ignore (only the Failure output)',
  },
  onTimeout: { failure: 'Failure output', success: 'Success output' },
};

// Any setting rendered from its schema alone: a check box, a drop-down or a text box.
export const AutoField = ({
  toolClass, name, cfg, set, errors,
}) => {
  const prop = propsOf(toolClass)[name];
  const t = typeOf(prop);
  const choices = enumOf(prop);
  const common = { id: name, label: label(name), error: errors[name], help: describe(toolClass, name) };
  if (t === 'boolean') return <Check {...common} checked={cfg[name]} onChange={(v) => set({ [name]: v })} />;
  if (choices) {
    const names = VALUE_LABELS[name] || {};
    return (
      <Choice {...common} value={cfg[name]} onChange={(v) => set({ [name]: v })}
        options={choices.map((v) => ({ value: v, label: names[v] || v || '(none)' }))} />
    );
  }
  if (t === 'number' || t === 'integer') {
    return <NumberText {...common} value={cfg[name]} integer={t === 'integer'} onChange={(v) => set({ [name]: v })} />;
  }
  if (t === 'string') return <Text {...common} value={cfg[name]} onChange={(v) => set({ [name]: v })} />;
  return null; // lists and maps have their own controls
};

const CONNECTION_KEYS = ['source', 'dcmConnectionId', 'serverUrl', 'apiKey', 'urlField', 'keyField', 'secretField'];
export const ADVANCED_KEYS = ['authType', 'tokenInBody', 'verifyTls', 'caBundle', 'requestTimeoutSeconds',
  'concurrency', 'onRecordFailure'];

// The settings a panel does not place itself: shown in Advanced, so a field a model gains is
// never unreachable (and the Python side's defaults stay visible).
export const leftovers = (toolClass, placed) => Object.keys(propsOf(toolClass)).filter((k) => (
  !placed.includes(k) && !CONNECTION_KEYS.includes(k) && !ADVANCED_KEYS.includes(k)
  && ['boolean', 'number', 'integer', 'string'].includes(typeOf(propsOf(toolClass)[k]))));

export const ConnectionSection = (props) => {
  const {
    toolClass, cfg, set, secret, setSecret, errors, fields,
  } = props;
  const sources = enumOf(propsOf(toolClass).source) || ['configured'];
  const perRecord = cfg.source === 'fields' || (toolClass === 'ServerAuthenticate' && cfg.source === 'incoming');
  return (
    <Section title="Connection">
      <Choice id="source" label="Connect to the Server" value={cfg.source} onChange={(v) => set({ source: v })}
        error={errors.source}
        options={sources.map((v) => ({ value: v, label: SOURCE_LABELS[v] || v }))} />
      {cfg.source === 'dcm' ? (
        <>
          <Text id="dcmConnectionId" label={label('dcmConnectionId')} value={cfg.dcmConnectionId || ''}
            onChange={(v) => set({ dcmConnectionId: v.trim() })} error={errors.dcmConnectionId} />
          <Note>
            In Designer: File &gt; Manage Connections, an &quot;Alteryx Server API&quot; data source with an API key
            and secret credential and &quot;Allow connection for SDK&quot; ticked; copy its connection ID here.
          </Note>
        </>
      ) : null}
      {cfg.source === 'anchor' ? (
        <Note>
          Connect Server Authenticate&apos;s Success output to this tool&apos;s Connection (C) input. The token
          stays inside the tools: it is never written to this tool&apos;s outputs.
        </Note>
      ) : null}
      {perRecord ? (
        <>
          <FieldPick id="urlField" label={label('urlField')} value={cfg.urlField} fields={fields} kind="text"
            onChange={(v) => set({ urlField: v })} error={errors.urlField}
            noneLabel="(none: use the Server URL below)" />
          <FieldPick id="keyField" label={label('keyField')} value={cfg.keyField} fields={fields} kind="text"
            onChange={(v) => set({ keyField: v })} error={errors.keyField} />
          <FieldPick id="secretField" label={label('secretField')} value={cfg.secretField} fields={fields} kind="text"
            onChange={(v) => set({ secretField: v })} error={errors.secretField}
            help="Used to log in, never passed on to the outputs" />
        </>
      ) : null}
      {cfg.source === 'configured' || (perRecord && !cfg.urlField) ? (
        <Text id="serverUrl" label={label('serverUrl')} value={cfg.serverUrl} onChange={(v) => set({ serverUrl: v })}
          error={errors.serverUrl} placeholder="https://server.example.com" />
      ) : null}
      {cfg.source === 'configured' ? (
        <>
          <Text id="apiKey" label={label('apiKey')} value={cfg.apiKey} onChange={(v) => set({ apiKey: v })}
            error={errors.apiKey} placeholder="Gallery: My Profile > Keys" />
          <Text id="apiSecret" label={label('apiSecret')} type="password" value={secret} onChange={setSecret}
            error={errors.apiSecret}
            help={'Kept in the workflow with Alteryx\'s "Hide" obfuscation, not strong encryption; DCM keeps it safer'} />
        </>
      ) : null}
    </Section>
  );
};

// Timeouts, concurrency, TLS, token-in-body, "When a record fails", and whatever the tool adds.
export const AdvancedSection = ({
  toolClass, cfg, set, errors, allErrors = errors, children, extraKeys = [], childKeys = [],
}) => {
  const keys = [...ADVANCED_KEYS, ...extraKeys, ...childKeys];
  const problems = Object.keys(allErrors).filter((k) => keys.includes(k)).length;
  const common = { toolClass, cfg, set, errors };
  const usesKeys = cfg.source === 'configured' || cfg.source === 'dcm' || cfg.source === 'fields'
    || toolClass === 'ServerAuthenticate';
  return (
    <Collapsible title="Advanced" id="advanced" problems={problems}>
      {children}
      {extraKeys.map((k) => <AutoField key={k} name={k} {...common} />)}
      {has(toolClass, 'onRecordFailure') ? <AutoField name="onRecordFailure" {...common} /> : null}
      <NumberText id="requestTimeoutSeconds" label={label('requestTimeoutSeconds')} value={cfg.requestTimeoutSeconds}
        onChange={(v) => set({ requestTimeoutSeconds: v })} error={errors.requestTimeoutSeconds} />
      <NumberText id="concurrency" label={label('concurrency')} value={cfg.concurrency} integer
        onChange={(v) => set({ concurrency: v })} error={errors.concurrency} help={describe(toolClass, 'concurrency')} />
      {usesKeys ? (
        <Choice id="authType" label="Authentication" value={cfg.authType} onChange={(v) => set({ authType: v })}
          options={enumOf(propsOf(toolClass).authType).map((v) => ({ value: v, label: AUTH_LABELS[v] || v }))}
          error={errors.authType} />
      ) : null}
      {cfg.authType === 'oauth2' && usesKeys ? (
        <Check id="tokenInBody" label="Send the key and secret in the token request body"
          checked={cfg.tokenInBody} onChange={(v) => set({ tokenInBody: v })} help={describe(toolClass, 'tokenInBody')} />
      ) : null}
      <Check id="verifyTls" label="Verify the Server's TLS certificate" checked={cfg.verifyTls}
        onChange={(v) => set({ verifyTls: v })} />
      <Text id="caBundle" label={label('caBundle')} value={cfg.caBundle} onChange={(v) => set({ caBundle: v })}
        disabled={!cfg.verifyTls && !cfg.caBundle} error={errors.caBundle}
        help="For a private certificate authority; a relative path is under the workflow's folder" />
    </Collapsible>
  );
};

// "Wait for the job" stays in the essentials; how often and how long go to Advanced.
export const WaitCheck = ({ cfg, set, errors, what = 'the job to finish' }) => (
  <Check id="wait" label={`Wait for ${what}`} checked={cfg.wait} onChange={(v) => set({ wait: v })}
    error={errors.wait} />
);

export const WaitOptions = ({
  toolClass, cfg, set, errors,
}) => (
  <>
    <NumberText id="waitTimeoutSeconds" label={label('waitTimeoutSeconds')} value={cfg.waitTimeoutSeconds}
      disabled={!cfg.wait} onChange={(v) => set({ waitTimeoutSeconds: v })} error={errors.waitTimeoutSeconds}
      help={describe(toolClass, 'waitTimeoutSeconds')} />
    <NumberText id="pollSeconds" label={label('pollSeconds')} value={cfg.pollSeconds} disabled={!cfg.wait}
      onChange={(v) => set({ pollSeconds: v })} error={errors.pollSeconds} />
    <Choice id="onTimeout" label="A job still running at the timeout goes to" value={cfg.onTimeout} disabled={!cfg.wait}
      onChange={(v) => set({ onTimeout: v })} error={errors.onTimeout}
      options={enumOf(propsOf(toolClass).onTimeout).map((v) => ({ value: v, label: VALUE_LABELS.onTimeout[v] || v }))} />
  </>
);
export const WAIT_KEYS = ['wait', 'waitTimeoutSeconds', 'pollSeconds', 'onTimeout'];
