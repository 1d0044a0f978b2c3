import React from 'react';
import {
  Check, Choice, FieldChecklist, FieldPick, Radios, Section, Text,
} from '../components';
import { describe, enumOf, propsOf } from '../schema';
import { label } from '../validate';
import { AdvancedSection, ConnectionSection, WaitSection } from './Connection';

const RunnerPanel = (props) => {
  const {
    toolClass, cfg, set, errors, fields,
  } = props;
  const idFrom = cfg.workflowIdField ? 'field' : 'fixed';
  const [byField, setByField] = React.useState(idFrom === 'field');
  const fromField = byField || idFrom === 'field';
  const props_ = propsOf(toolClass);
  return (
    <>
      <ConnectionSection {...props} />
      <Section title="Workflow">
        <Radios id="workflowIdFrom" label="Workflow to run" value={fromField ? 'field' : 'fixed'}
          onChange={(v) => {
            setByField(v === 'field');
            set(v === 'field' ? { workflowId: '' } : { workflowIdField: '' });
          }}
          options={[{ value: 'fixed', label: 'The same workflow ID for every record' },
            { value: 'field', label: 'The workflow ID in a field of each record' }]} />
        {fromField ? (
          <FieldPick id="workflowIdField" label={label('workflowIdField')} value={cfg.workflowIdField} fields={fields}
            onChange={(v) => set({ workflowIdField: v })} error={errors.workflowIdField || errors.workflowId} />
        ) : (
          <Text id="workflowId" label={label('workflowId')} value={cfg.workflowId}
            onChange={(v) => set({ workflowId: v.trim() })} error={errors.workflowId} />
        )}
        <Radios id="questionsMode" label="Analytic app questions" value={cfg.questionsMode}
          onChange={(v) => set({ questionsMode: v })} error={errors.questionsMode}
          options={[{ value: 'none', label: 'None' },
            { value: 'fields', label: 'One question per chosen field' },
            { value: 'json', label: 'A JSON field holding [{name, value}, ...]' }]} />
        {cfg.questionsMode === 'fields' ? (
          <>
            <FieldChecklist id="questionFields" label={label('questionFields')} value={cfg.questionFields}
              fields={fields} error={errors.questionFields}
              onChange={(v) => {
                const names = {};
                v.forEach((f) => { if (cfg.questionNames[f]) names[f] = cfg.questionNames[f]; });
                set({ questionFields: v, questionNames: names });
              }} />
            {cfg.questionFields.map((f) => (
              <Text key={f} id={`questionName-${f}`} label={`Question name for ${f}`} value={cfg.questionNames[f] || ''}
                help="Empty: the field's name"
                onChange={(v) => {
                  const names = { ...cfg.questionNames };
                  if (v) names[f] = v; else delete names[f];
                  set({ questionNames: names });
                }} />
            ))}
          </>
        ) : null}
        {cfg.questionsMode === 'json' ? (
          <FieldPick id="questionsJsonField" label={label('questionsJsonField')} value={cfg.questionsJsonField}
            fields={fields} onChange={(v) => set({ questionsJsonField: v })} error={errors.questionsJsonField} />
        ) : null}
      </Section>
      <Section title="Job">
        <Choice id="priority" label="Priority" value={cfg.priority} onChange={(v) => set({ priority: v })}
          options={enumOf(props_.priority).map((v) => ({ value: v, label: v || "(the workflow's own)" }))} />
        <Text id="workerTag" label={label('workerTag')} value={cfg.workerTag} onChange={(v) => set({ workerTag: v })} />
        <Text id="credentialId" label={label('credentialId')} value={cfg.credentialId}
          onChange={(v) => set({ credentialId: v })} />
        <Choice id="apiVersion" label="API" value={cfg.apiVersion} onChange={(v) => set({ apiVersion: v })}
          error={errors.apiVersion}
          options={enumOf(props_.apiVersion).map((v) => ({ value: v, label: v === 'v1' ? 'v1 (older Servers)' : 'v3' }))} />
      </Section>
      <WaitSection {...props} />
      <Section title="Outputs">
        <Check id="downloadOutputs" label="Download the job's outputs" checked={cfg.downloadOutputs}
          onChange={(v) => set({ downloadOutputs: v })} error={errors.downloadOutputs} />
        {cfg.downloadOutputs ? (
          <>
            <Text id="outputFolder" label={label('outputFolder')} value={cfg.outputFolder}
              onChange={(v) => set({ outputFolder: v })} error={errors.outputFolder} />
            <Text id="outputFormat" label={label('outputFormat')} value={cfg.outputFormat}
              onChange={(v) => set({ outputFormat: v })} help={describe(toolClass, 'outputFormat') || 'Raw, Csv, Yxdb, ...'} />
          </>
        ) : null}
      </Section>
      <AdvancedSection {...props} />
    </>
  );
};

export default RunnerPanel;
