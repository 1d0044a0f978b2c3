import React, { useState } from 'react';
import { Box, Button, Typography } from '@alteryx/ui';
import {
  Choice, FieldChecklist, FieldPick, Section, Text,
} from '../components';
import { describe, enumOf, propsOf } from '../schema';
import { label } from '../validate';
import { endpointByName, endpointsFor, placeholders } from '../catalogue';
import { AdvancedSection, ConnectionSection } from './Connection';

const BODY_LABELS = {
  none: 'No body',
  jsonField: 'JSON text from a field',
  fields: 'A JSON object built from fields',
  multipart: 'Multipart upload (a file and form values)',
};
const OUTPUT_LABELS = { raw: 'The response as JSON text', rows: 'One row per item of a list response' };

const without = (map, key) => {
  const out = { ...map };
  delete out[key];
  return out;
};

// One query parameter: not sent, a fixed value, or the value of a field of each record.
const QueryRow = ({
  name, cfg, set, fields, errors, required,
}) => {
  const mode = name in cfg.queryFields ? 'field' : name in cfg.queryFixed ? 'fixed' : 'none';
  const setMode = (m) => {
    const queryFixed = without(cfg.queryFixed, name);
    const queryFields = without(cfg.queryFields, name);
    if (m === 'fixed') queryFixed[name] = cfg.queryFixed[name] || '';
    if (m === 'field') queryFields[name] = cfg.queryFields[name] || '';
    set({ queryFixed, queryFields });
  };
  return (
    <Box display="flex" style={{ gap: 8 }}>
      <Box flex="0 0 45%">
        <Choice id={`queryMode-${name}`} label={`Query ${name}${required ? ' (required)' : ''}`} value={mode}
          onChange={setMode} error={mode === 'none' ? errors[`query:${name}`] : undefined}
          options={[{ value: 'none', label: '(not sent)' }, { value: 'fixed', label: 'Fixed value' },
            { value: 'field', label: 'From a field' }]} />
      </Box>
      <Box flex="1 1 auto">
        {mode === 'fixed' ? (
          <Text id={`queryValue-${name}`} label={`Value of ${name}`} value={cfg.queryFixed[name]}
            onChange={(v) => set({ queryFixed: { ...cfg.queryFixed, [name]: v } })} />
        ) : null}
        {mode === 'field' ? (
          <FieldPick id={`queryField-${name}`} label={`Field for ${name}`} value={cfg.queryFields[name]} fields={fields}
            onChange={(v) => set({ queryFields: { ...cfg.queryFields, [name]: v } })} error={errors[`query:${name}`]} />
        ) : null}
      </Box>
    </Box>
  );
};

const ApiRequestPanel = (props) => {
  const {
    toolClass, spec, cfg, set, errors, fields,
  } = props;
  const { method } = spec;
  const [newQuery, setNewQuery] = useState('');
  const endpoints = endpointsFor(method);
  const ep = cfg.endpoint ? endpointByName(method, cfg.endpoint) : null;
  const params = placeholders(ep ? ep.path : cfg.path);
  const canBody = method === 'POST' || method === 'PUT';

  const chooseEndpoint = (name) => {
    const next = endpointByName(method, name);
    if (!next) { set({ endpoint: '' }); return; }
    const keep = (map, allowed) => Object.keys(map).filter((k) => allowed.includes(k))
      .reduce((o, k) => { o[k] = map[k]; return o; }, {});
    const queryNames = next.query.map((q) => q.name);
    let { bodyMode } = cfg;
    if (!canBody) bodyMode = 'none';
    else if (next.files.length || next.form.length) bodyMode = 'multipart';
    else if (next.body) bodyMode = bodyMode === 'fields' ? 'fields' : 'jsonField';
    else bodyMode = 'none';
    set({
      endpoint: name,
      path: next.path,
      pathParamFields: keep(cfg.pathParamFields, next.pathParams),
      queryFixed: keep(cfg.queryFixed, queryNames),
      queryFields: keep(cfg.queryFields, queryNames),
      formFields: keep(cfg.formFields, next.form.map((f) => f.name)),
      bodyMode,
    });
  };
  const setPath = (path) => {
    const names = placeholders(path);
    const pathParamFields = Object.keys(cfg.pathParamFields).filter((k) => names.includes(k))
      .reduce((o, k) => { o[k] = cfg.pathParamFields[k]; return o; }, {});
    set({ path, pathParamFields });
  };
  const queryNames = (ep ? ep.query.map((q) => q.name) : [])
    .concat(Object.keys(cfg.queryFixed), Object.keys(cfg.queryFields))
    .filter((n, i, all) => all.indexOf(n) === i);
  const requiredQuery = ep ? ep.query.filter((q) => q.required).map((q) => q.name) : [];
  const formNames = (ep ? ep.form.map((f) => f.name) : []).concat(Object.keys(cfg.formFields))
    .filter((n, i, all) => all.indexOf(n) === i);
  const bodyModes = enumOf(propsOf(toolClass).bodyMode).filter((m) => canBody || m === 'none' || m === cfg.bodyMode);

  return (
    <>
      <ConnectionSection {...props} />
      <Section title="Endpoint">
        <Choice id="endpoint" label={`${method} endpoint`} value={cfg.endpoint} onChange={chooseEndpoint}
          error={errors.endpoint}
          options={[{ value: '', label: '(custom path)' }]
            .concat(endpoints.map((e) => ({ value: e.name, label: `${e.path}  (${e.name})` })))
            .concat(cfg.endpoint && !ep ? [{ value: cfg.endpoint, label: `${cfg.endpoint} (not in the catalogue)` }] : [])} />
        {ep ? <Typography variant="body2" color="textSecondary">{ep.summary}</Typography> : null}
        <Text id="path" label={label('path')} value={cfg.path} onChange={setPath} disabled={Boolean(ep)}
          error={errors.path} help={describe(toolClass, 'path')} />
        {params.map((p) => (
          <FieldPick key={p} id={`pathParam-${p}`} label={`{${p}} from field`} value={cfg.pathParamFields[p] || ''}
            fields={fields} error={errors[`pathParam:${p}`]}
            onChange={(v) => set({ pathParamFields: { ...cfg.pathParamFields, [p]: v } })} />
        ))}
        {Object.keys(cfg.pathParamFields).filter((p) => !params.includes(p)).map((p) => (
          <Typography key={p} variant="body2" color="error">{errors[`pathParam:${p}`]}</Typography>
        ))}
      </Section>
      <Section title="Query parameters">
        {queryNames.map((name) => (
          <QueryRow key={name} name={name} cfg={cfg} set={set} fields={fields} errors={errors}
            required={requiredQuery.includes(name)} />
        ))}
        {!ep ? (
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Text id="newQuery" label="New query parameter" value={newQuery} onChange={setNewQuery} />
            <Button variant="outlined" disabled={!newQuery.trim() || queryNames.includes(newQuery.trim())}
              onClick={() => { set({ queryFixed: { ...cfg.queryFixed, [newQuery.trim()]: '' } }); setNewQuery(''); }}>
              Add
            </Button>
          </Box>
        ) : null}
        {ep && !queryNames.length ? <Typography variant="body2" color="textSecondary">This endpoint takes none.</Typography> : null}
      </Section>
      {canBody || cfg.bodyMode !== 'none' ? (
        <Section title="Body">
          <Choice id="bodyMode" label="Request body" value={cfg.bodyMode} onChange={(v) => set({ bodyMode: v })}
            error={errors.bodyMode} options={bodyModes.map((m) => ({ value: m, label: BODY_LABELS[m] || m }))} />
          {cfg.bodyMode === 'jsonField' ? (
            <FieldPick id="bodyField" label={label('bodyField')} value={cfg.bodyField} fields={fields}
              onChange={(v) => set({ bodyField: v })} error={errors.bodyField} />
          ) : null}
          {cfg.bodyMode === 'fields' ? (
            <FieldChecklist id="bodyFields" label={label('bodyFields')} value={cfg.bodyFields} fields={fields}
              onChange={(v) => set({ bodyFields: v })} error={errors.bodyFields} />
          ) : null}
          {cfg.bodyMode === 'multipart' ? (
            <>
              <FieldPick id="fileField" label={label('fileField')} value={cfg.fileField} fields={fields}
                noneLabel="(no file)" onChange={(v) => set({ fileField: v })} error={errors.fileField} />
              {formNames.map((name) => (
                <FieldPick key={name} id={`form-${name}`} label={`Form value ${name}`} value={cfg.formFields[name] || ''}
                  fields={fields} noneLabel="(not sent)" error={errors[`form:${name}`]}
                  onChange={(v) => set({ formFields: v ? { ...cfg.formFields, [name]: v } : without(cfg.formFields, name) })} />
              ))}
            </>
          ) : null}
        </Section>
      ) : null}
      <Section title="Output">
        <Choice id="outputMode" label="Success output" value={cfg.outputMode} onChange={(v) => set({ outputMode: v })}
          options={enumOf(propsOf(toolClass).outputMode).map((m) => ({ value: m, label: OUTPUT_LABELS[m] || m }))} />
      </Section>
      <AdvancedSection {...props} />
    </>
  );
};

export default ApiRequestPanel;
