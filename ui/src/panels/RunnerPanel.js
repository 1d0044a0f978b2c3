import React from 'react';
import {
  Check, Choice, FieldChecklist, FieldPick, Note, Section, Text,
} from '../components';
import { CONNECTION_NAMES, enumOf, has, propsOf } from '../schema';
import { label } from '../validate';
import { withoutConnection } from '../fields';
import { OUTPUT_FORMATS } from '../params';
import {
  AdvancedSection, AutoField, ConnectionSection, WAIT_KEYS, WaitCheck, WaitOptions, leftovers,
} from './Connection';

const JOB_KEYS = ['priority', 'workerTag', 'credentialId', 'apiVersion'];
const PLAN_KEYS = ['stepField', 'dependsOnField', 'maxInFlight'];
const PLACED = ['mode', ...PLAN_KEYS, 'workflow', 'workflowField', 'questionsMode', 'questionFields', 'questionNames',
  'questionsJsonField', 'downloadOutputs', 'outputFolder', 'outputFormat', ...JOB_KEYS, ...WAIT_KEYS];

const JobOptions = ({
  toolClass, cfg, set, errors,
}) => {
  const props = propsOf(toolClass);
  return (
    <>
      {has(toolClass, 'priority') ? (
        <Choice id="priority" label="Job priority" value={cfg.priority} onChange={(v) => set({ priority: v })}
          options={enumOf(props.priority).map((v) => ({ value: v, label: v || "(the workflow's own)" }))} />
      ) : null}
      {has(toolClass, 'workerTag') ? (
        <Text id="workerTag" label={label('workerTag')} value={cfg.workerTag} onChange={(v) => set({ workerTag: v })} />
      ) : null}
      {has(toolClass, 'credentialId') ? (
        <Text id="credentialId" label={label('credentialId')} value={cfg.credentialId}
          onChange={(v) => set({ credentialId: v })} />
      ) : null}
      {has(toolClass, 'apiVersion') ? (
        <Choice id="apiVersion" label="Server API" value={cfg.apiVersion} onChange={(v) => set({ apiVersion: v })}
          error={errors.apiVersion}
          options={enumOf(props.apiVersion).map((v) => ({ value: v, label: v === 'v1' ? 'v1 (older Servers)' : 'v3' }))} />
      ) : null}
    </>
  );
};

const RunnerPanel = (props) => {
  const {
    toolClass, cfg, set, errors, fields,
  } = props;
  const plan = cfg.mode === 'plan';
  const [byField, setByField] = React.useState(Boolean(cfg.workflowField));
  const fromField = plan || byField || Boolean(cfg.workflowField);
  // Question and body checklists never offer what Server Authenticate wrote.
  const dataFields = withoutConnection(fields, CONNECTION_NAMES);
  const formats = enumOf(propsOf(toolClass).outputFormat) || OUTPUT_FORMATS;
  return (
    <>
      <ConnectionSection {...props} />
      <Section title="Workflow">
        {has(toolClass, 'mode') ? (
          <Choice id="mode" label="Run" value={cfg.mode} onChange={(v) => set({ mode: v })}
            options={[{ value: 'records', label: 'One job per record' },
              { value: 'plan', label: 'Run a plan (each record a step, after those it depends on)' }]} />
        ) : null}
        {plan ? (
          <>
            <FieldPick id="stepField" label={label('stepField')} value={cfg.stepField} fields={fields} kind="any"
              onChange={(v) => set({ stepField: v })} error={errors.stepField} />
            <FieldPick id="dependsOnField" label={label('dependsOnField')} value={cfg.dependsOnField} fields={fields}
              kind="text" onChange={(v) => set({ dependsOnField: v })} error={errors.dependsOnField}
              help="Step IDs, comma separated; empty: the step starts at once" noneLabel="(none: no dependencies)" />
          </>
        ) : (
          <Choice id="workflowFrom" label="Workflow to run" value={fromField ? 'field' : 'fixed'}
            onChange={(v) => {
              setByField(v === 'field');
              set(v === 'field' ? { workflow: '' } : { workflowField: '' });
            }}
            options={[{ value: 'fixed', label: 'The same workflow for every record' },
              { value: 'field', label: 'The workflow in a field of each record' }]} />
        )}
        {fromField ? (
          <FieldPick id="workflowField" label={label('workflowField')} value={cfg.workflowField} fields={fields}
            kind="text" onChange={(v) => set({ workflowField: v })} error={errors.workflowField || errors.workflow} />
        ) : (
          <Text id="workflow" label={label('workflow')} value={cfg.workflow}
            onChange={(v) => set({ workflow: v.trim() })} error={errors.workflow}
            placeholder="ID, Gallery URL or exact name" />
        )}
        <Choice id="questionsMode" label="Analytic app questions" value={cfg.questionsMode}
          onChange={(v) => set({ questionsMode: v })} error={errors.questionsMode}
          options={[{ value: 'none', label: 'None' },
            { value: 'fields', label: 'One question per chosen field' },
            { value: 'json', label: 'A JSON field holding [{name, value}, ...]' }]} />
        {cfg.questionsMode === 'fields' ? (
          <>
            <FieldChecklist id="questionFields" label={label('questionFields')} value={cfg.questionFields}
              fields={dataFields} error={errors.questionFields}
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
            fields={dataFields} kind="text" onChange={(v) => set({ questionsJsonField: v })} error={errors.questionsJsonField} />
        ) : null}
      </Section>
      <Section title="Output">
        <WaitCheck {...props} />
        <Check id="downloadOutputs" label="Download the job's outputs" checked={cfg.downloadOutputs}
          onChange={(v) => set({ downloadOutputs: v })} error={errors.downloadOutputs} />
        {cfg.downloadOutputs ? (
          <>
            <Text id="outputFolder" label={label('outputFolder')} value={cfg.outputFolder}
              onChange={(v) => set({ outputFolder: v })} error={errors.outputFolder} />
            <Note>A relative folder is under the workflow&apos;s folder.</Note>
            <Choice id="outputFormat" label={label('outputFormat')} value={cfg.outputFormat}
              onChange={(v) => set({ outputFormat: v })} error={errors.outputFormat}
              options={(formats.includes(cfg.outputFormat) ? [] : [{ value: cfg.outputFormat, label: cfg.outputFormat || '(choose)' }])
                .concat(formats.map((v) => ({ value: v, label: v === 'Raw' ? 'Raw (as the workflow wrote it)' : v })))} />
          </>
        ) : null}
      </Section>
      <AdvancedSection {...props} extraKeys={leftovers(toolClass, PLACED)}
        childKeys={[...WAIT_KEYS, ...JOB_KEYS, ...PLAN_KEYS]}>
        {plan ? <AutoField name="maxInFlight" toolClass={toolClass} cfg={cfg} set={set} errors={errors} /> : null}
        <WaitOptions {...props} />
        <JobOptions {...props} />
      </AdvancedSection>
    </>
  );
};

export default RunnerPanel;
