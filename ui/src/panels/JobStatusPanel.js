import React from 'react';
import { FieldPick, Section } from '../components';
import { label } from '../validate';
import { AdvancedSection, ConnectionSection, WaitSection } from './Connection';

const JobStatusPanel = (props) => {
  const { cfg, set, errors, fields } = props;
  return (
    <>
      <ConnectionSection {...props} />
      <Section title="Job">
        <FieldPick id="jobIdField" label={label('jobIdField')} value={cfg.jobIdField} fields={fields}
          onChange={(v) => set({ jobIdField: v })} error={errors.jobIdField} />
      </Section>
      <WaitSection {...props} what="each job to finish" />
      <AdvancedSection {...props} />
    </>
  );
};

export default JobStatusPanel;
