import React from 'react';
import { FieldPick, Radios, Section } from '../components';
import { label } from '../validate';
import { AdvancedSection, Credentials } from './Connection';

const AuthenticatePanel = (props) => {
  const { cfg, set, errors, fields } = props;
  const perRecord = cfg.source === 'incoming';
  return (
    <>
      <Section title="Connection">
        <Radios id="source" label="Credentials" value={cfg.source} onChange={(v) => set({ source: v })}
          options={[
            { value: 'configured', label: 'Set in this tool' },
            { value: 'incoming', label: 'From input fields (one login per record)' },
          ]} />
        {perRecord ? (
          <>
            <FieldPick id="urlField" label={label('urlField')} value={cfg.urlField} fields={fields}
              onChange={(v) => set({ urlField: v })} error={errors.urlField}
              noneLabel="(none: use the Server URL below)" />
            <FieldPick id="keyField" label={label('keyField')} value={cfg.keyField} fields={fields}
              onChange={(v) => set({ keyField: v })} error={errors.keyField} />
            <FieldPick id="secretField" label={label('secretField')} value={cfg.secretField} fields={fields}
              onChange={(v) => set({ secretField: v })} error={errors.secretField} />
          </>
        ) : null}
        <Credentials {...props} keys={!perRecord} />
      </Section>
      <AdvancedSection {...props} />
    </>
  );
};

export default AuthenticatePanel;
