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

export const hasIncoming = (model) => incomingFields(model).length > 0;
