// Query parameters and multipart form values in words. The API's swagger gives names and types,
// not sentences, so the labels are written here; allowed values come from the models data file
// (ayx_plugins/server_api/data/v3-swagger-derived-models.txt, generated into enums.json) where it
// has them, else from the values the Server documents for that parameter.
import enums from './generated/enums.json';

const TRUE_FALSE = ['true', 'false'];
// The job output formats the Server offers (v1 jobs/{id}/output/{outputId}?format=).
export const OUTPUT_FORMATS = ['Raw', 'Csv', 'Yxdb', 'Xlsx', 'Pdf', 'Docx', 'Html', 'Dbf', 'Kml',
  'Shp', 'Tab', 'Mif', 'Tde', 'Zip'];

// kind: the value's type, which decides the fitting fields (text, number, bool, date).
const P = {
  view: { label: 'Detail level', help: 'Default: the short record; Full: every property', values: ['Default', 'Full'] },
  force: { label: 'Even if it is in use', values: TRUE_FALSE, kind: 'bool' },
  forceDelete: { label: 'Delete even if it is in use', values: TRUE_FALSE, kind: 'bool' },
  userId: { label: 'User ID' },
  userGroupId: { label: 'User group ID' },
  connectionId: { label: 'Connection ID' },
  visibleBy: { label: 'Only what this user ID can see' },
  includeMessages: { label: 'Include the job messages', values: TRUE_FALSE, kind: 'bool' },
  format: { label: 'Output file format', values: OUTPUT_FORMATS },
  ownerId: { label: 'Owner (user ID)' },
  workflowId: { label: 'Workflow ID' },
  runsAfter: { label: 'Runs after (date and time)', kind: 'date' },
  runsBefore: { label: 'Runs before (date and time)', kind: 'date' },
  subscriptionId: { label: 'Studio (subscription) ID' },
  name: { label: 'Name' },
  canShareSchedule: { label: 'Can share schedules', values: TRUE_FALSE, kind: 'bool' },
  defaultWorkflowCredentialId: { label: 'Default workflow credential ID' },
  userCountGreaterThanEquals: { label: 'At least this many users', kind: 'number' },
  userCountLessThanEquals: { label: 'At most this many users', kind: 'number' },
  workflowCountGreaterThanEquals: { label: 'At least this many workflows', kind: 'number' },
  workflowCountLessThanEquals: { label: 'At most this many workflows', kind: 'number' },
  active: { label: 'Active users only', values: TRUE_FALSE, kind: 'bool' },
  email: { label: 'Email address' },
  role: { label: 'Role' },
  firstName: { label: 'First name' },
  lastName: { label: 'Last name' },
  createdAfter: { label: 'Created after (date and time)', kind: 'date' },
  createdBefore: { label: 'Created before (date and time)', kind: 'date' },
  completedAfter: { label: 'Completed after (date and time)', kind: 'date' },
  completedBefore: { label: 'Completed before (date and time)', kind: 'date' },
  assetType: { label: 'Kind of assets', values: ['All', 'Workflows', 'Schedules', 'Collections'] },
  versionId: { label: 'Version ID (empty: the published one)' },
  sortField: { label: 'Sort by' },
  direction: { label: 'Sort order', values: ['asc', 'desc'] },
  offset: { label: 'Skip this many items', kind: 'number' },
  limit: { label: 'At most this many items', kind: 'number' },
  status: { label: 'Job status' },
  statuses: { label: 'Job statuses (comma separated)' },
  priorities: { label: 'Priorities (comma separated)' },
  users: { label: 'User IDs (comma separated)' },
  allUsers: { label: "Every user's jobs", values: TRUE_FALSE, kind: 'bool' },
  workflowNames: { label: 'Workflow names (comma separated)' },
  resultCode: { label: 'Result (Success, Warning, Error)', values: ['Success', 'Warning', 'Error'] },
  search: { label: 'Search text' },
  packageType: { label: 'Kind of workflow', values: ['App', 'Module', 'Macro'] },
  appId: { label: 'Workflow ID' },
  adGroupSid: { label: 'Active Directory group SID' },
  // multipart form values (publishing a workflow)
  othersMayDownload: { label: 'Others may download it', values: TRUE_FALSE, kind: 'bool' },
  othersCanExecute: { label: 'Others can run it', values: TRUE_FALSE, kind: 'bool' },
  executionMode: { label: 'Run mode on Server' },
  hasPrivateDataExemption: { label: 'Private data exemption', values: TRUE_FALSE, kind: 'bool' },
  comments: { label: 'Comments' },
  makePublished: { label: 'Make this version the published one', values: TRUE_FALSE, kind: 'bool' },
  workflowCredentialType: { label: 'Credentials it runs with' },
  credentialId: { label: 'Credential ID' },
  workerTag: { label: 'Worker tag' },
  districtTags: { label: 'District tags (comma separated)' },
  isPublic: { label: 'Public in the Gallery', values: TRUE_FALSE, kind: 'bool' },
  isReadyForMigration: { label: 'Ready for migration', values: TRUE_FALSE, kind: 'bool' },
  sourceAppId: { label: 'Source workflow ID (replaces it)' },
  collectionIds: { label: 'Collection IDs (comma separated)' },
  owner: { label: 'Owner (email)' },
  validate: { label: 'Validate on upload', values: TRUE_FALSE, kind: 'bool' },
  sourceId: { label: 'Workflow to replace (ID)' },
  canDownload: { label: 'Others may download it', values: TRUE_FALSE, kind: 'bool' },
};

// "userCountGreaterThanEquals" -> "User count greater than equals" (for names not listed above).
export const humanize = (name) => {
  const words = String(name).replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase()
    .replace(/\b(id|sid)\b/g, (w) => w.toUpperCase());
  return words.charAt(0).toUpperCase() + words.slice(1);
};

// {label, help, values (null: free text), kind} of a query parameter or form value.
export const paramInfo = (name) => {
  const known = P[name] || {};
  return {
    label: known.label || humanize(name),
    help: known.help || '',
    values: known.values || enums[name] || null,
    kind: known.kind || 'text',
  };
};
