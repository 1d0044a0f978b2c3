import React from 'react';
import { FieldPick, Section } from '../components';
import { label } from '../validate';
import {
  AdvancedSection, ConnectionSection, WAIT_KEYS, WaitCheck, WaitOptions, leftovers,
} from './Connection';

const PLACED = ['jobIdField', ...WAIT_KEYS];

const JobStatusPanel = (props) => {
  const {
    toolClass, cfg, set, errors, fields,
  } = props;
  return (
    <>
      <ConnectionSection {...props} />
      <Section title="Job">
        <FieldPick id="jobIdField" label={label('jobIdField')} value={cfg.jobIdField} fields={fields} kind="text"
          onChange={(v) => set({ jobIdField: v })} error={errors.jobIdField} />
        <WaitCheck {...props} what="each job to finish" />
      </Section>
      <AdvancedSection {...props} extraKeys={leftovers(toolClass, PLACED)} childKeys={WAIT_KEYS}>
        <WaitOptions {...props} />
      </AdvancedSection>
    </>
  );
};

export default JobStatusPanel;
