import React from 'react';
import {
  Check, Choice, FieldPick, NumberText, Radios, Section, Text,
} from '../components';
import { describe, enumOf, propsOf } from '../schema';
import { label } from '../validate';

const AUTH_LABELS = { oauth2: 'OAuth 2 (Server 2021.4 and later)', oauth1: 'OAuth 1.0a (Server before 2022.1, /gallery/)' };

export const Credentials = ({
  toolClass, cfg, set, secret, setSecret, errors, keys = true,
}) => (
  <>
    <Text id="serverUrl" label={label('serverUrl')} value={cfg.serverUrl} onChange={(v) => set({ serverUrl: v })}
      error={errors.serverUrl} help={describe(toolClass, 'serverUrl')} placeholder="https://server.example.com" />
    <Choice id="authType" label="Authentication" value={cfg.authType} onChange={(v) => set({ authType: v })}
      options={enumOf(propsOf(toolClass).authType).map((v) => ({ value: v, label: AUTH_LABELS[v] || v }))}
      error={errors.authType} />
    {keys ? (<>
    <Text id="apiKey" label={label('apiKey')} value={cfg.apiKey} onChange={(v) => set({ apiKey: v })}
      error={errors.apiKey} help={describe(toolClass, 'apiKey')} />
    <Text id="apiSecret" label={label('apiSecret')} type="password" value={secret} onChange={setSecret}
      error={errors.apiSecret} help="Stored encrypted by Designer" />
    </>) : null}
  </>
);

export const ConnectionSection = (props) => {
  const { cfg, set, errors } = props;
  return (
    <Section title="Connection">
      <Radios id="source" label="Server and credentials" value={cfg.source} onChange={(v) => set({ source: v })}
        error={errors.source}
        options={[
          { value: 'configured', label: 'Set in this tool' },
          { value: 'incoming', label: 'Use the incoming Authenticate fields (token from Server Authenticate)' },
        ]} />
      {cfg.source === 'configured' ? <Credentials {...props} /> : null}
    </Section>
  );
};

export const AdvancedSection = ({ toolClass, cfg, set, errors }) => (
  <Section title="Requests">
    <NumberText id="concurrency" label={label('concurrency')} value={cfg.concurrency} integer
      onChange={(v) => set({ concurrency: v })} error={errors.concurrency} help={describe(toolClass, 'concurrency')} />
    <NumberText id="requestTimeoutSeconds" label={label('requestTimeoutSeconds')} value={cfg.requestTimeoutSeconds}
      onChange={(v) => set({ requestTimeoutSeconds: v })} error={errors.requestTimeoutSeconds} />
    {cfg.authType === 'oauth2' && (cfg.source === 'configured' || toolClass === 'ServerAuthenticate') ? (
      <Check id="tokenInBody" label="Send the key and secret in the token request body"
        checked={cfg.tokenInBody} onChange={(v) => set({ tokenInBody: v })} help={describe(toolClass, 'tokenInBody')} />
    ) : null}
    <Check id="verifyTls" label="Verify the Server's TLS certificate" checked={cfg.verifyTls}
      onChange={(v) => set({ verifyTls: v })} />
    <Text id="caBundle" label={label('caBundle')} value={cfg.caBundle} onChange={(v) => set({ caBundle: v })}
      disabled={!cfg.verifyTls && !cfg.caBundle} error={errors.caBundle} help={describe(toolClass, 'caBundle')} />
  </Section>
);

const TIMEOUT_LABELS = { failure: 'Failure output', success: 'Success output' };

export const WaitSection = ({ toolClass, cfg, set, errors, what = 'the job to finish' }) => (
  <Section title="Waiting">
    <Check id="wait" label={`Wait for ${what}`} checked={cfg.wait} onChange={(v) => set({ wait: v })} />
    <NumberText id="pollSeconds" label={label('pollSeconds')} value={cfg.pollSeconds} disabled={!cfg.wait}
      onChange={(v) => set({ pollSeconds: v })} error={errors.pollSeconds} />
    <NumberText id="waitTimeoutSeconds" label={label('waitTimeoutSeconds')} value={cfg.waitTimeoutSeconds}
      disabled={!cfg.wait} onChange={(v) => set({ waitTimeoutSeconds: v })} error={errors.waitTimeoutSeconds}
      help={describe(toolClass, 'waitTimeoutSeconds')} />
    <Choice id="onTimeout" label="A job still running at the timeout goes to" value={cfg.onTimeout} disabled={!cfg.wait}
      onChange={(v) => set({ onTimeout: v })} error={errors.onTimeout}
      options={enumOf(propsOf(toolClass).onTimeout).map((v) => ({ value: v, label: TIMEOUT_LABELS[v] || v }))} />
  </Section>
);

export { FieldPick };
