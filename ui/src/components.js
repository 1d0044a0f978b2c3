// Small form controls on @alteryx/ui, each labelled so a user (and a test) finds it by its label.
import React, { useEffect, useState } from 'react';
import {
  Box, Checkbox, FormControl, FormControlLabel, FormGroup, FormHelperText, FormLabel, Radio,
  RadioGroup, TextField, Typography,
} from '@alteryx/ui';

export const Section = ({ title, children }) => (
  <Box component="section" mb={2} aria-label={title}>
    <Typography variant="h6" component="h2" gutterBottom>{title}</Typography>
    {children}
  </Box>
);

const helper = (error, help) => error || help || undefined;

export const Text = ({
  id, label, value, onChange, error, help, type = 'text', disabled, placeholder,
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
export const FieldPick = ({
  id, label, value, onChange, fields, error, help, disabled, noneLabel = '(choose a field)',
}) => {
  const options = [{ value: '', label: noneLabel }];
  fields.forEach((f) => options.push({ value: f.name, label: f.type ? `${f.name} (${f.type})` : f.name }));
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
  id, label, value, onChange, fields, error, help,
}) => {
  const missing = value.filter((v) => !fields.some((f) => f.name === v));
  const all = fields.map((f) => f.name).concat(missing);
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
