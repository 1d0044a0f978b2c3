// Incoming field metadata: react-comms turns Designer's MetaInfo into
// model.Meta.fields[anchor][connection].fields[i] = {name, type, ...}.
export const incomingFields = (model, anchor = 0) => {
  const meta = model && model.Meta;
  const lists = meta && Array.isArray(meta.fields) ? meta.fields[anchor] || [] : [];
  const seen = new Set();
  const out = [];
  lists.forEach((list) => ((list && list.fields) || []).forEach((f) => {
    if (f && f.name && !seen.has(f.name)) {
      seen.add(f.name);
      out.push({ name: f.name, type: f.type || '' });
    }
  }));
  return out;
};

// The position of an input anchor in the tool's anchor list (Designer's MetaInfo order), -1 if
// the tool has no such anchor.
export const anchorIndex = (spec, name) => {
  const i = (spec.inputs || []).findIndex((a) => a.name === name);
  return name === 'Input' && i < 0 ? 0 : i;
};

// Never offered as question or body fields: what Server Authenticate writes.
export const withoutConnection = (fields, names) => fields.filter((f) => !names.includes(f.name));

export const hasIncoming = (model) => incomingFields(model).length > 0;
