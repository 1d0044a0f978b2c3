// Small form controls on @alteryx/ui, each labelled so a user (and a test) finds it by its label.
import React, { useEffect, useState } from 'react';
import {
  Accordion, AccordionDetails, AccordionSummary, Box, Checkbox, FormControl, FormControlLabel,
  FormGroup, FormHelperText, FormLabel, Radio, RadioGroup, TextField, Typography,
} from '@alteryx/ui';

// A titled group of controls; compact, as Designer's configuration pane is narrow.
export const Section = ({ title, children }) => (
  <Box component="section" mb={1.5}>
    <Typography variant="subtitle1" component="h2" style={{ fontWeight: 600, marginBottom: 0 }}>{title}</Typography>
    {children}
  </Box>
);

// A section closed until the user opens it (timeouts, TLS, concurrency ...). It opens by itself
// when it holds a problem the user has to see.
export const Collapsible = ({
  title, children, problems = 0, id,
}) => {
  const [open, setOpen] = useState(false);
  return (
    <Accordion expanded={open} onChange={(e, v) => setOpen(v)} TransitionProps={{ timeout: 0 }}
      component="section" style={{ marginBottom: 8 }}>
      <AccordionSummary aria-controls={`${id}-content`} id={`${id}-header`}>
        <Typography variant="subtitle1" component="h2" style={{ fontWeight: 600 }}>
          {title}
          {problems ? <Typography component="span" variant="body2" color="error">{` (${problems} to fix)`}</Typography> : null}
        </Typography>
      </AccordionSummary>
      <AccordionDetails id={`${id}-content`} style={{ display: 'block', paddingTop: 0 }}>
        {open ? children : null}
      </AccordionDetails>
    </Accordion>
  );
};

export const Note = ({ children }) => (
  <Typography variant="caption" component="p" color="textSecondary" style={{ margin: '2px 0 4px' }}>{children}</Typography>
);

// Alteryx field types that fit a value of each kind (a field of unknown type always fits).
const TEXT_TYPES = ['String', 'WString', 'V_String', 'V_WString'];
const KIND_TYPES = {
  text: TEXT_TYPES,
  number: [...TEXT_TYPES, 'Byte', 'Int16', 'Int32', 'Int64', 'FixedDecimal', 'Float', 'Double'],
  bool: [...TEXT_TYPES, 'Bool'],
  date: [...TEXT_TYPES, 'Date', 'Time', 'DateTime'],
};
export const fits = (field, kind) => {
  if (!field.type || !kind) return true;
  if (kind === 'any') return !['Blob', 'SpatialObj'].includes(field.type);
  return (KIND_TYPES[kind] || KIND_TYPES.text).includes(field.type);
};

const helper = (error, help) => error || help || undefined;

export const Text = ({
  id, label, value, onChange, error, help, type = 'text', disabled, placeholder, multiline, rows,
}) => (
  <TextField
    id={id}
    label={label}
    value={value}
    type={type}
    disabled={disabled}
    placeholder={placeholder}
    error={Boolean(error)}
    helperText={helper(error, help)}
    onChange={(e) => onChange(e.target.value)}
    multiline={multiline}
    rows={rows}
    InputLabelProps={placeholder ? { shrink: true } : undefined}
    inputProps={multiline ? { spellCheck: false, style: { fontFamily: 'monospace', fontSize: 12 } } : undefined}
    fullWidth
    margin="dense"
    autoComplete="off"
  />
);

// Keeps what the user is typing (e.g. "0." or "") and writes a number when it parses, '' when
// empty, so a half-typed value never turns into a different saved one.
export const NumberText = ({
  id, label, value, onChange, error, help, disabled, integer,
}) => {
  const shown = value === '' || value === null || value === undefined ? '' : String(value);
  const [draft, setDraft] = useState(shown);
  useEffect(() => {
    if (Number(draft) !== Number(shown) || (draft === '') !== (shown === '')) setDraft(shown);
  }, [shown]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <TextField
      id={id}
      label={label}
      value={draft}
      disabled={disabled}
      error={Boolean(error)}
      helperText={helper(error, help)}
      inputProps={{ inputMode: integer ? 'numeric' : 'decimal' }}
      onChange={(e) => {
        const text = e.target.value;
        setDraft(text);
        const t = text.trim();
        if (t === '') onChange('');
        else if (Number.isFinite(Number(t))) onChange(Number(t));
        else onChange(t);
      }}
      fullWidth
      margin="dense"
    />
  );
};

// A native <select> styled by @alteryx/ui: keyboard friendly in Designer's embedded browser.
export const Choice = ({
  id, label, value, onChange, options, error, help, disabled,
}) => (
  <TextField
    id={id}
    select
    label={label}
    value={value}
    disabled={disabled}
    error={Boolean(error)}
    helperText={helper(error, help)}
    onChange={(e) => onChange(e.target.value)}
    SelectProps={{ native: true }}
    InputLabelProps={{ shrink: true }}
    fullWidth
    margin="dense"
  >
    {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
  </TextField>
);

// A field picker fed from the incoming metadata; keeps a saved name that is not there (flagged
// by validation) so reopening a panel never silently changes the configuration.
// `kind` keeps the list to fields of a fitting type (text, number, bool, date, any).
export const FieldPick = ({
  id, label, value, onChange, fields, error, help, disabled, noneLabel = '(choose a field)', kind = 'any',
}) => {
  const options = [{ value: '', label: noneLabel }];
  fields.filter((f) => fits(f, kind) || f.name === value)
    .forEach((f) => options.push({ value: f.name, label: f.type ? `${f.name} (${f.type})` : f.name }));
  if (value && !fields.some((f) => f.name === value)) options.push({ value, label: `${value} (not in the incoming data)` });
  return (
    <Choice id={id} label={label} value={value || ''} onChange={onChange} options={options}
      error={error} help={help} disabled={disabled} />
  );
};

export const Check = ({
  id, label, checked, onChange, disabled, error, help,
}) => (
  <FormControl error={Boolean(error)} margin="dense" fullWidth>
    <FormControlLabel
      control={<Checkbox id={id} checked={Boolean(checked)} disabled={disabled}
        onChange={(e) => onChange(e.target.checked)} color="primary" />}
      label={label}
    />
    {helper(error, help) ? <FormHelperText>{helper(error, help)}</FormHelperText> : null}
  </FormControl>
);

export const Radios = ({
  id, label, value, onChange, options, error, help,
}) => (
  <FormControl component="fieldset" error={Boolean(error)} margin="dense" fullWidth>
    <FormLabel component="legend" id={`${id}-label`}>{label}</FormLabel>
    <RadioGroup aria-labelledby={`${id}-label`} name={id} value={value} onChange={(e) => onChange(e.target.value)}>
      {options.map((o) => (
        <FormControlLabel key={o.value} value={o.value} control={<Radio color="primary" />} label={o.label} />
      ))}
    </RadioGroup>
    {helper(error, help) ? <FormHelperText>{helper(error, help)}</FormHelperText> : null}
  </FormControl>
);

// Tick the incoming fields that take part (question fields, body fields), in metadata order.
export const FieldChecklist = ({
  id, label, value, onChange, fields, error, help, kind = 'any',
}) => {
  const missing = value.filter((v) => !fields.some((f) => f.name === v));
  const all = fields.filter((f) => fits(f, kind) || value.includes(f.name)).map((f) => f.name).concat(missing);
  const toggle = (name, on) => {
    const next = on ? all.filter((n) => n === name || value.includes(n)) : value.filter((n) => n !== name);
    onChange(next);
  };
  return (
    <FormControl component="fieldset" error={Boolean(error)} margin="dense" fullWidth>
      <FormLabel component="legend" id={`${id}-label`}>{label}</FormLabel>
      <FormGroup aria-labelledby={`${id}-label`}>
        {all.length ? all.map((name) => (
          <FormControlLabel
            key={name}
            control={<Checkbox checked={value.includes(name)} onChange={(e) => toggle(name, e.target.checked)} color="primary" />}
            label={missing.includes(name) ? `${name} (not in the incoming data)` : name}
          />
        )) : <FormHelperText>Connect an input to pick its fields</FormHelperText>}
      </FormGroup>
      {helper(error, help) ? <FormHelperText>{helper(error, help)}</FormHelperText> : null}
    </FormControl>
  );
};

// One value sent with the request, in ONE drop-down: not sent, one of the known values (or "type
// a value"), or a field of each record; a text box only for a typed value. Used for query, path
// and form values alike, so a multipart form of 15 values stays about one control per value.
export const ValueSource = ({
  id, label, help, mode, fixed, field, values, kind, fields, onMode, onFixed, onField, error,
  required, allowNone = true,
}) => {
  let current = '';
  if (mode === 'field') current = `field:${field || ''}`;
  else if (mode === 'fixed') current = values && values.includes(fixed) ? `fixed:${fixed}` : 'text';
  const usable = fields.filter((f) => fits(f, kind) || f.name === field);
  const unknown = mode === 'field' && field && !fields.some((f) => f.name === field);
  const change = (v) => {
    if (v === '') onMode('none');
    else if (v === 'text') onMode('fixed');
    else if (v.startsWith('fixed:')) onFixed(v.slice(6));
    else if (v.startsWith('field:') && v.length > 6) onField(v.slice(6));
  };
  return (
    <>
      <TextField id={id} select label={label} value={current} onChange={(e) => change(e.target.value)}
        SelectProps={{ native: true }} InputLabelProps={{ shrink: true }} fullWidth margin="dense"
        error={Boolean(error)} helperText={current === 'text' ? undefined : helper(error, help)}>
        {allowNone ? <option value="">{required ? '(not sent: required)' : '(not sent)'}</option> : null}
        {mode === 'field' && !field ? <option value="field:">(choose a field)</option> : null}
        <optgroup label="The same value for every record">
          {values ? values.map((v) => <option key={v} value={`fixed:${v}`}>{v}</option>) : null}
          <option value="text">{values ? 'Type another value' : 'Type a value'}</option>
        </optgroup>
        <optgroup label="From a field">
          {usable.map((f) => (
            <option key={f.name} value={`field:${f.name}`}>{f.type ? `${f.name} (${f.type})` : f.name}</option>
          ))}
          {unknown ? <option value={`field:${field}`}>{`${field} (not in the incoming data)`}</option> : null}
        </optgroup>
      </TextField>
      {current === 'text' ? (
        <Text id={`${id}-value`} label={`${label}: value`} value={fixed} onChange={onFixed} error={error} help={help} />
      ) : null}
    </>
  );
};
