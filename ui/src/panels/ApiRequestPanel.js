import React, { useState } from 'react';
import {
  Box, Button, TextField, Typography,
} from '@alteryx/ui';
import Autocomplete, { createFilterOptions } from '@alteryx/ui/Autocomplete';
import {
  Choice, Collapsible, FieldChecklist, FieldPick, Note, Section, Text, ValueSource,
} from '../components';
import { CONNECTION_NAMES, enumOf, propsOf } from '../schema';
import { label } from '../validate';
import { withoutConnection } from '../fields';
import { paramInfo } from '../params';
import { endpointByName, endpointsFor, placeholders } from '../catalogue';
import { AdvancedSection, ConnectionSection, leftovers } from './Connection';

const BODY_LABELS = {
  none: 'No body',
  template: 'A JSON template, {Field} replaced by its value',
  jsonField: 'JSON text from a field',
  fields: 'A JSON object built from fields',
  multipart: 'Multipart upload (a file and form values)',
};
const OUTPUT_LABELS = {
  raw: 'The response as JSON text',
  rows: 'One row per item of a list response',
  file: 'Save the answer to a file',
};
const PLACED = ['endpoint', 'path', 'pathParamFields', 'pathParamFixed', 'queryFixed', 'queryFields',
  'bodyMode', 'bodyField', 'bodyFields', 'bodyTemplate', 'fileField', 'formFields', 'formFixed', 'outputMode',
  'fileFolder', 'fileNameField', 'fileNameTemplate'];
const CUSTOM = {
  name: '', summary: 'Type a path yourself', path: 'any path under the API', group: 'Other',
};

const without = (map, key) => {
  const out = { ...map };
  delete out[key];
  return out;
};
const keep = (map, allowed) => Object.keys(map || {}).filter((k) => allowed.includes(k))
  .reduce((o, k) => { o[k] = map[k]; return o; }, {});
const sameName = (fields, name) => {
  const hit = fields.find((f) => f.name.toLowerCase() === String(name).toLowerCase());
  return hit ? hit.name : '';
};

// The operation's example body with {Field} wherever an incoming field has the key's name.
export const exampleBody = (ep, fields) => {
  let value;
  try { value = JSON.parse(ep.bodyExample || '{}'); } catch (e) { return ep.bodyExample || '{}'; }
  const fill = (node) => {
    if (Array.isArray(node)) return node.map(fill);
    if (node && typeof node === 'object') {
      const out = {};
      Object.keys(node).forEach((k) => {
        const f = sameName(fields, k);
        out[k] = f && (node[k] === null || typeof node[k] !== 'object') ? `{${f}}` : fill(node[k]);
      });
      return out;
    }
    return node;
  };
  return JSON.stringify(fill(value), null, 2);
};

const filter = createFilterOptions({ stringify: (o) => `${o.summary} ${o.path} ${o.group}` });

const EndpointPicker = ({
  method, value, onChange, error,
}) => {
  const endpoints = endpointsFor(method).slice()
    .sort((a, b) => a.group.localeCompare(b.group) || a.summary.localeCompare(b.summary));
  const options = [...endpoints, CUSTOM];
  const current = value ? (endpointByName(method, value) || {
    ...CUSTOM, name: value, summary: `${value} (not in the catalogue)`,
  }) : CUSTOM;
  return (
    <Autocomplete
      id="endpoint"
      options={options}
      value={current}
      groupBy={(o) => o.group}
      getOptionLabel={(o) => o.summary}
      getOptionSelected={(o, v) => o.name === v.name}
      filterOptions={filter}
      disableClearable
      autoHighlight
      onChange={(e, o) => onChange(o ? o.name : '')}
      renderOption={(o) => (
        <div style={{ minWidth: 0 }}>
          <div style={{ fontSize: 13, lineHeight: 1.3 }}>{o.summary}</div>
          <div style={{ fontSize: 11, color: '#6b6b6b', overflowWrap: 'anywhere' }}>{o.path}</div>
        </div>
      )}
      renderInput={(params) => (
        <TextField {...params} label={`${method} endpoint`} margin="dense" error={Boolean(error)}
          helperText={error || (value ? undefined : 'Type to search: workflows, jobs, users ...')} />
      )}
    />
  );
};

const ApiRequestPanel = (props) => {
  const {
    toolClass, spec, cfg, set, errors, fields,
  } = props;
  const { method } = spec;
  const [newQuery, setNewQuery] = useState('');
  const [nameFrom, setNameFrom] = useState(cfg.fileNameField ? 'field' : cfg.fileNameTemplate ? 'template' : 'server');
  const ep = cfg.endpoint ? endpointByName(method, cfg.endpoint) : null;
  const params = placeholders(ep ? ep.path : cfg.path);
  const canBody = method === 'POST' || method === 'PUT';
  const dataFields = withoutConnection(fields, CONNECTION_NAMES);

  const chooseEndpoint = (name) => {
    const next = endpointByName(method, name);
    if (!next) { set({ endpoint: '' }); return; }
    const queryNames = next.query.map((q) => q.name);
    let { bodyMode } = cfg;
    const patch = {};
    if (!canBody) bodyMode = 'none';
    else if (next.files.length || next.form.length) bodyMode = 'multipart';
    else if (next.body) {
      if (!['fields', 'jsonField', 'template'].includes(bodyMode)) bodyMode = 'template';
      if (bodyMode === 'template') patch.bodyTemplate = exampleBody(next, dataFields);
    } else bodyMode = 'none';
    const pathParamFields = keep(cfg.pathParamFields, next.pathParams);
    const pathParamFixed = keep(cfg.pathParamFixed, next.pathParams);
    next.pathParams.forEach((p) => {
      if (!pathParamFields[p] && !(p in pathParamFixed) && sameName(fields, p)) pathParamFields[p] = sameName(fields, p);
    });
    let { outputMode } = cfg;
    if (next.binary) outputMode = 'file';
    else if (outputMode === 'file') outputMode = 'raw';
    set({
      ...patch,
      endpoint: name,
      path: next.path,
      pathParamFields,
      pathParamFixed,
      queryFixed: keep(cfg.queryFixed, queryNames),
      queryFields: keep(cfg.queryFields, queryNames),
      formFields: keep(cfg.formFields, next.form.map((f) => f.name)),
      formFixed: keep(cfg.formFixed, next.form.map((f) => f.name)),
      bodyMode,
      outputMode,
    });
  };
  const setPath = (path) => {
    const names = placeholders(path);
    set({ path, pathParamFields: keep(cfg.pathParamFields, names), pathParamFixed: keep(cfg.pathParamFixed, names) });
  };

  // One value from a pair of maps (fixed / from a field): query, path and form values alike.
  const source = (name, fixedKey, fieldKey, errKey, { allowNone = true, required = false } = {}) => {
    const info = paramInfo(name);
    const fixed = cfg[fixedKey];
    const byField = cfg[fieldKey];
    let mode = 'none';
    if (name in byField) mode = 'field';
    else if (name in fixed) mode = 'fixed';
    else if (!allowNone) mode = 'field';
    return (
      <ValueSource key={`${fixedKey}-${name}`} id={`${fieldKey}-${name}`} label={info.label}
        help={info.help} mode={mode} values={info.values} kind={info.kind} fields={fields}
        fixed={fixed[name] || ''} field={byField[name] || ''} error={errors[`${errKey}:${name}`]}
        allowNone={allowNone} required={required}
        onMode={(m) => {
          const nextFixed = without(fixed, name);
          const nextField = without(byField, name);
          if (m === 'fixed') nextFixed[name] = fixed[name] || '';
          if (m === 'field') nextField[name] = byField[name] || sameName(fields, name);
          set({ [fixedKey]: nextFixed, [fieldKey]: nextField });
        }}
        onFixed={(v) => set({ [fixedKey]: { ...fixed, [name]: v }, [fieldKey]: without(byField, name) })}
        onField={(v) => set({ [fieldKey]: { ...byField, [name]: v }, [fixedKey]: without(fixed, name) })} />
    );
  };

  const queryNames = (ep ? ep.query.map((q) => q.name) : [])
    .concat(Object.keys(cfg.queryFixed), Object.keys(cfg.queryFields))
    .filter((n, i, all) => all.indexOf(n) === i);
  const requiredQuery = ep ? ep.query.filter((q) => q.required).map((q) => q.name) : [];
  const inUse = (n) => requiredQuery.includes(n) || n in cfg.queryFixed || n in cfg.queryFields;
  const [mainQuery, moreQuery] = [queryNames.filter(inUse), queryNames.filter((n) => !inUse(n))];
  const formNames = (ep ? ep.form.map((f) => f.name) : []).concat(Object.keys(cfg.formFields), Object.keys(cfg.formFixed))
    .filter((n, i, all) => all.indexOf(n) === i);
  const requiredForm = ep ? ep.form.filter((f) => f.required).map((f) => f.name) : [];
  const formInUse = (n) => requiredForm.includes(n) || n in cfg.formFixed || n in cfg.formFields;
  const bodyModes = enumOf(propsOf(toolClass).bodyMode).filter((m) => canBody || m === 'none' || m === cfg.bodyMode);
  const outputModes = enumOf(propsOf(toolClass).outputMode);

  return (
    <>
      <ConnectionSection {...props} />
      <Section title="What to call">
        <EndpointPicker method={method} value={cfg.endpoint} onChange={chooseEndpoint} error={errors.endpoint} />
        {ep ? (
          <>
            <Typography variant="body2" style={{ marginTop: 2 }}>{ep.summary}</Typography>
            <Note>{`${method} ${ep.path}`}</Note>
          </>
        ) : (
          <Text id="path" label={label('path')} value={cfg.path} onChange={setPath}
            error={errors.path} placeholder="v3/workflows/{workflowId}" help="Under the API base; {name} takes a value below" />
        )}
        {params.map((p) => source(p, 'pathParamFixed', 'pathParamFields', 'pathParam', { allowNone: false, required: true }))}
        {Object.keys(cfg.pathParamFields).concat(Object.keys(cfg.pathParamFixed)).filter((p) => !params.includes(p)).map((p) => (
          <Note key={p}>{errors[`pathParam:${p}`]}</Note>
        ))}
        {mainQuery.map((n) => source(n, 'queryFixed', 'queryFields', 'query', { required: requiredQuery.includes(n) }))}
        {moreQuery.length ? (
          <Collapsible title={`More options (${moreQuery.length})`} id="more-query">
            {moreQuery.map((n) => source(n, 'queryFixed', 'queryFields', 'query'))}
          </Collapsible>
        ) : null}
        {!ep && (cfg.path || queryNames.length) ? (
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Text id="newQuery" label="Add a query parameter (its name)" value={newQuery} onChange={setNewQuery} />
            <Button variant="outlined" size="small" disabled={!newQuery.trim() || queryNames.includes(newQuery.trim())}
              onClick={() => { set({ queryFixed: { ...cfg.queryFixed, [newQuery.trim()]: '' } }); setNewQuery(''); }}>
              Add
            </Button>
          </Box>
        ) : null}
      </Section>
      {canBody || cfg.bodyMode !== 'none' ? (
        <Section title="Body">
          <Choice id="bodyMode" label="Request body" value={cfg.bodyMode}
            onChange={(v) => set(v === 'template' && !cfg.bodyTemplate.trim() && ep
              ? { bodyMode: v, bodyTemplate: exampleBody(ep, dataFields) } : { bodyMode: v })}
            error={errors.bodyMode} options={bodyModes.map((m) => ({ value: m, label: BODY_LABELS[m] || m }))} />
          {cfg.bodyMode === 'template' ? (
            <>
              <Text id="bodyTemplate" label={label('bodyTemplate')} value={cfg.bodyTemplate} multiline rows={8}
                onChange={(v) => set({ bodyTemplate: v })} error={errors.bodyTemplate}
                help={'"{Field}" alone takes the field\'s typed value; inside text, its text'} />
              {ep && ep.bodyExample ? (
                <Button size="small" onClick={() => set({ bodyTemplate: exampleBody(ep, dataFields) })}>
                  Start again from the example
                </Button>
              ) : null}
            </>
          ) : null}
          {cfg.bodyMode === 'jsonField' ? (
            <FieldPick id="bodyField" label={label('bodyField')} value={cfg.bodyField} fields={dataFields} kind="text"
              onChange={(v) => set({ bodyField: v })} error={errors.bodyField} />
          ) : null}
          {cfg.bodyMode === 'fields' ? (
            <FieldChecklist id="bodyFields" label={label('bodyFields')} value={cfg.bodyFields} fields={dataFields}
              onChange={(v) => set({ bodyFields: v })} error={errors.bodyFields} />
          ) : null}
          {cfg.bodyMode === 'multipart' ? (
            <>
              <FieldPick id="fileField" label={label('fileField')} value={cfg.fileField} fields={fields} kind="text"
                noneLabel="(no file)" onChange={(v) => set({ fileField: v })} error={errors.fileField}
                help="E.g. the File Path a Server GET wrote" />
              {formNames.filter(formInUse).map((n) => source(n, 'formFixed', 'formFields', 'form', { required: requiredForm.includes(n) }))}
              {formNames.some((n) => !formInUse(n)) ? (
                <Collapsible title={`More form values (${formNames.filter((n) => !formInUse(n)).length})`} id="more-form">
                  {formNames.filter((n) => !formInUse(n)).map((n) => source(n, 'formFixed', 'formFields', 'form'))}
                </Collapsible>
              ) : null}
            </>
          ) : null}
        </Section>
      ) : null}
      <Section title="Output">
        <Choice id="outputMode" label="Success output" value={cfg.outputMode} onChange={(v) => set({ outputMode: v })}
          options={outputModes.map((m) => ({ value: m, label: OUTPUT_LABELS[m] || m }))} />
        {cfg.outputMode === 'file' ? (
          <>
            <Text id="fileFolder" label={label('fileFolder')} value={cfg.fileFolder} onChange={(v) => set({ fileFolder: v })}
              error={errors.fileFolder} help="A relative folder is under the workflow's folder" />
            <Choice id="fileNameFrom" label="File name" value={nameFrom}
              onChange={(v) => {
                setNameFrom(v);
                if (v === 'server') set({ fileNameField: '', fileNameTemplate: '' });
                if (v === 'template') set({ fileNameField: '', fileNameTemplate: cfg.fileNameTemplate || (params.length ? `{${params[0]}}.yxzp` : '') });
                if (v === 'field') set({ fileNameTemplate: '' });
              }}
              options={[{ value: 'server', label: 'The name the Server gives' },
                { value: 'template', label: 'A pattern, e.g. {workflowId}.yxzp' },
                { value: 'field', label: 'From a field' }]} />
            {nameFrom === 'template' ? (
              <Text id="fileNameTemplate" label="File name pattern" value={cfg.fileNameTemplate}
                onChange={(v) => set({ fileNameTemplate: v })} error={errors.fileNameTemplate}
                help="{name}: a path parameter or an incoming field" />
            ) : null}
            {nameFrom === 'field' ? (
              <FieldPick id="fileNameField" label={label('fileNameField')} value={cfg.fileNameField} fields={fields}
                kind="text" onChange={(v) => set({ fileNameField: v })} error={errors.fileNameField} />
            ) : null}
            <Note>Success gets File Path, File Size and Content Type; the file never leaves the folder.</Note>
          </>
        ) : null}
      </Section>
      <AdvancedSection {...props} extraKeys={leftovers(toolClass, PLACED)} />
    </>
  );
};

export default ApiRequestPanel;
