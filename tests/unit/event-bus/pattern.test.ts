import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../../local/event-bus/pattern';

type Case = { name: string; pattern: unknown; event: unknown; expected: boolean };

/** The sample Amazon EC2 event from "Amazon EventBridge event patterns". */
const EC2_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

/** The EC2 envelope around another detail, optionally with envelope fields replaced. */
const withDetail = (detail: Record<string, unknown>, envelope: Record<string, unknown> = {}) => ({
  ...EC2_EVENT,
  ...envelope,
  detail,
});

/** The Auto Scaling event from "Matching events on null values and empty strings". */
const AUTOSCALING_EVENT = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

/** The (truncated) Amazon Macie event from "Matching events on event field values". */
const MACIE_EVENT = {
  version: '0',
  id: '0948ba87-d3b8-c6d4-f2da-732a1example',
  'detail-type': 'Macie Finding',
  source: 'aws.macie',
  account: '123456789012',
  time: '2021-04-29T23:12:15Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    schemaVersion: '1.0',
    id: '64b917aa-3843-014c-91d8-937ffexample',
    type: 'Policy:IAMUser/S3BucketEncryptionDisabled',
    severity: { score: 1, description: 'Low' },
    count: 2,
  },
};

/** The event the content-filtering examples are written against (as in the aws/event-ruler README). */
const FILTERING_EVENT = withDetail(
  {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    sourceIPAddress: '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
  { time: '2017-10-02T16:24:49Z', region: 'us-east-1' },
);

const FILTERING_DETAIL = FILTERING_EVENT.detail;

const COMPLEX_PATTERN = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
  },
};

const NUMERIC_PATTERN = {
  detail: {
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ numeric: ['=', 3.018e2] }],
  },
};

const OR_NUMERIC_PATTERN = {
  detail: {
    $or: [
      { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
      { 'd-count': [{ numeric: ['<', 10] }] },
      { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
    ],
  },
};

/*
 * Conformance table. Patterns, events and expected results come from the Amazon EventBridge User
 * Guide pages:
 *   - "Amazon EventBridge event patterns" (and its "Creating event patterns" section)
 *   - "Arrays in Amazon EventBridge event patterns"
 *   - "Matching events on null values and empty strings in Amazon EventBridge"
 *   - "Matching events on event field values"
 *   - "Content filtering in Amazon EventBridge event patterns"
 *   - "Comparison operators for use in event patterns in Amazon EventBridge"
 * Each case name starts with the page or section (and operator) it covers. Cases marked "event-ruler"
 * pin behaviour the guide leaves open, as aws/event-ruler (the engine behind EventBridge) documents it;
 * cases marked "local choice" pin a decision this matcher makes where neither says.
 */
const CONFORMANCE: readonly Case[] = [
  // --- Amazon EventBridge event patterns ----------------------------------------------------
  {
    name: 'Event patterns: EC2 instance-termination pattern matches the sample EC2 event',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: EC2_EVENT,
    expected: true,
  },
  {
    name: 'Event patterns: EC2 instance-termination pattern does not match a running instance',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: withDetail({ 'instance-id': 'i-1234567890abcdef0', state: 'running' }),
    expected: false,
  },
  {
    name: 'Event patterns: matching values, source is either aws.ec2 or aws.fargate (fargate)',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    event: { ...EC2_EVENT, source: 'aws.fargate' },
    expected: true,
  },
  {
    name: 'Event patterns: matching values, source is either aws.ec2 or aws.fargate (s3 does not)',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    event: { ...EC2_EVENT, source: 'aws.s3' },
    expected: false,
  },
  {
    name: 'Event patterns: the event must contain every field the pattern names',
    pattern: { source: ['aws.ec2'], detail: { state: ['terminated'] } },
    event: withDetail({ 'instance-id': 'i-1234567890abcdef0' }),
    expected: false,
  },
  {
    name: 'Event patterns: field names must appear with the same nesting structure',
    pattern: { state: ['terminated'] },
    event: EC2_EVENT,
    expected: false,
  },
  {
    name: 'Event patterns: exact matching is case-sensitive',
    pattern: { detail: { state: ['Terminated'] } },
    event: EC2_EVENT,
    expected: false,
  },

  // --- Arrays in Amazon EventBridge event patterns ------------------------------------------
  {
    name: 'Arrays: matches when the pattern array and the event array intersect',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: {
      ...EC2_EVENT,
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    expected: true,
  },
  {
    name: 'Arrays: does not match when the pattern array and the event array are disjoint',
    pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
    event: EC2_EVENT,
    expected: false,
  },
  {
    name: 'Arrays (event-ruler): a sub-pattern matches an object inside an event array',
    pattern: { detail: { employees: { firstName: ['Anna'] } } },
    event: withDetail({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    }),
    expected: true,
  },
  {
    name: 'Arrays (event-ruler): fields of one sub-pattern must come from the same array element',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    event: withDetail({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    }),
    expected: false,
  },

  // --- Matching events on null values and empty strings -------------------------------------
  {
    name: 'Null values and empty strings: [""] matches an empty eventVersion',
    pattern: { detail: { eventVersion: [''] } },
    event: AUTOSCALING_EVENT,
    expected: true,
  },
  {
    name: 'Null values and empty strings: [null] matches a null responseElements',
    pattern: { detail: { responseElements: [null] } },
    event: AUTOSCALING_EVENT,
    expected: true,
  },
  {
    name: 'Null values and empty strings: [""] does not match null (not interchangeable)',
    pattern: { detail: { responseElements: [''] } },
    event: AUTOSCALING_EVENT,
    expected: false,
  },
  {
    name: 'Null values and empty strings: [null] does not match "" (not interchangeable)',
    pattern: { detail: { eventVersion: [null] } },
    event: AUTOSCALING_EVENT,
    expected: false,
  },

  // --- Matching events on event field values ------------------------------------------------
  {
    name: 'Event field values: field matching on source, detail-type and a null responseElements',
    pattern: {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance Launch Successful'],
      detail: { responseElements: [null] },
    },
    event: AUTOSCALING_EVENT,
    expected: true,
  },
  {
    name: 'Event field values: value matching, Macie severity score 1 and count 2',
    pattern: {
      source: ['aws.macie'],
      'detail-type': ['Macie Finding'],
      detail: { severity: { score: [1] }, count: [2] },
    },
    event: MACIE_EVENT,
    expected: true,
  },
  {
    name: 'Event field values: value matching, Macie count 3 does not match count 2',
    pattern: { source: ['aws.macie'], detail: { severity: { score: [1] }, count: [3] } },
    event: MACIE_EVENT,
    expected: false,
  },
  {
    name: 'Event field values: the JSON number 1 does not match the string "1"',
    pattern: { detail: { severity: { score: ['1'] } } },
    event: MACIE_EVENT,
    expected: false,
  },
  {
    name: 'Event field values: JSON booleans match booleans',
    pattern: { detail: { encrypted: [false] } },
    event: withDetail({ encrypted: false }),
    expected: true,
  },

  // --- Comparison operators: Prefix matching ------------------------------------------------
  {
    name: 'Prefix matching: time starts with "2017-10-02"',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: { ...EC2_EVENT, time: '2017-10-02T18:43:48Z' },
    expected: true,
  },
  {
    name: 'Prefix matching: time of another day does not start with "2017-10-02"',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: EC2_EVENT,
    expected: false,
  },
  {
    name: 'Comparison operators, Begins with: Region is in the US',
    pattern: { region: [{ prefix: 'us-' }] },
    event: EC2_EVENT,
    expected: true,
  },
  {
    name: 'Prefix matching: only works on string values (number 123 vs prefix "1")',
    pattern: { detail: { 'x-limit': [{ prefix: '1' }] } },
    event: withDetail({ 'x-limit': 123 }),
    expected: false,
  },
  {
    name: 'Prefix matching while ignoring case: service starts with "EventB" (eventbridge)',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'eventbridge' }),
    expected: true,
  },
  {
    name: 'Prefix matching while ignoring case: service starts with "EventB" (EVENTBRIDGE)',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'EVENTBRIDGE' }),
    expected: true,
  },
  {
    name: 'Prefix matching while ignoring case: "sns" does not start with "EventB"',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'sns' }),
    expected: false,
  },

  // --- Comparison operators: Suffix matching ------------------------------------------------
  {
    name: 'Suffix matching: FileName ends with ".png"',
    pattern: { detail: { FileName: [{ suffix: '.png' }] } },
    event: withDetail({ FileName: 'image.png' }),
    expected: true,
  },
  {
    name: 'Suffix matching: "image.jpg" does not end with ".png"',
    pattern: { detail: { FileName: [{ suffix: '.png' }] } },
    event: withDetail({ FileName: 'image.jpg' }),
    expected: false,
  },
  {
    name: 'Suffix matching: is case-sensitive without equals-ignore-case',
    pattern: { detail: { FileName: [{ suffix: '.png' }] } },
    event: withDetail({ FileName: 'IMAGE.PNG' }),
    expected: false,
  },
  {
    name: 'Suffix matching while ignoring case: FileName ends with ".png" or ".PNG"',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: withDetail({ FileName: 'IMAGE.PNG' }),
    expected: true,
  },

  // --- Comparison operators: Anything-but matching ------------------------------------------
  {
    name: 'Anything-but matching: state is anything but "initializing" (running)',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: FILTERING_EVENT,
    expected: true,
  },
  {
    name: 'Anything-but matching: state "initializing" is excluded',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withDetail({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'Anything-but matching: numeric value, x-limit is anything but 123 (456)',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: withDetail({ 'x-limit': 456 }),
    expected: true,
  },
  {
    name: 'Anything-but matching: numeric value, x-limit 123 is excluded',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: withDetail({ 'x-limit': 123 }),
    expected: false,
  },
  {
    name: 'Anything-but matching: list of strings excludes "stopped"',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: withDetail({ state: 'stopped' }),
    expected: false,
  },
  {
    name: 'Anything-but matching: list of strings lets "running" through',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: FILTERING_EVENT,
    expected: true,
  },
  {
    name: 'Anything-but matching: list of numbers excludes 200',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: withDetail({ 'x-limit': 200 }),
    expected: false,
  },
  {
    name: 'Anything-but matching: list of numbers lets 301.8 through',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: FILTERING_EVENT,
    expected: true,
  },
  {
    name: 'Anything-but matching on prefixes: "initializing" has the prefix "init"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: withDetail({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'Anything-but matching on prefixes: "running" lacks the prefix "init"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: FILTERING_EVENT,
    expected: true,
  },
  {
    name: 'Comparison operators, Anything-but (begins with): Region is not in the US',
    pattern: { region: [{ 'anything-but': { prefix: 'us-' } }] },
    event: { ...EC2_EVENT, region: 'eu-west-1' },
    expected: true,
  },
  {
    name: 'Anything-but matching on suffixes: FileName does not end with ".png" (notes.txt)',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: withDetail({ FileName: 'notes.txt' }),
    expected: true,
  },
  {
    name: 'Anything-but matching on suffixes: "image.png" is excluded',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: withDetail({ FileName: 'image.png' }),
    expected: false,
  },
  {
    name: 'Anything-but matching ignoring case: "INITIALIZING" is excluded',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: withDetail({ state: 'INITIALIZING' }),
    expected: false,
  },
  {
    name: 'Anything-but matching ignoring case: list excludes "stopped" for "Stopped"',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    event: withDetail({ state: 'stopped' }),
    expected: false,
  },
  {
    name: 'Anything-but matching ignoring case: list lets "running" through',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    event: FILTERING_EVENT,
    expected: true,
  },
  {
    name: 'Anything-but matching using a wildcard: FilePath not containing /lib/ (/usr/bin/tool)',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: withDetail({ FilePath: '/usr/bin/tool' }),
    expected: true,
  },
  {
    name: 'Anything-but matching using a wildcard: "/usr/lib/tool" is excluded',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: withDetail({ FilePath: '/usr/lib/tool' }),
    expected: false,
  },
  {
    name: 'Anything-but matching (event-ruler): a missing field does not match',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withDetail({ 'instance-id': 'i-1234567890abcdef0' }),
    expected: false,
  },
  {
    name: 'Anything-but matching + Arrays: matches when some element of the event array is not excluded',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withDetail({ state: ['initializing', 'running'] }),
    expected: true,
  },
  {
    name: 'Anything-but matching on prefixes (local choice): a number is never excluded by a prefix',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: withDetail({ state: 3 }),
    expected: true,
  },

  // --- Comparison operators: Numeric matching -----------------------------------------------
  {
    name: 'Numeric matching: c-count in (0, 5], d-count < 10, x-limit = 3.018e2 all hold',
    pattern: NUMERIC_PATTERN,
    event: FILTERING_EVENT,
    expected: true,
  },
  {
    name: 'Numeric matching: c-count 0 is outside (0, 5]',
    pattern: NUMERIC_PATTERN,
    event: withDetail({ ...FILTERING_DETAIL, 'c-count': 0 }),
    expected: false,
  },
  {
    name: 'Numeric matching: c-count 6 is outside (0, 5]',
    pattern: NUMERIC_PATTERN,
    event: withDetail({ ...FILTERING_DETAIL, 'c-count': 6 }),
    expected: false,
  },
  {
    name: 'Numeric matching: x-limit 302 is not = 3.018e2',
    pattern: NUMERIC_PATTERN,
    event: withDetail({ ...FILTERING_DETAIL, 'x-limit': 302 }),
    expected: false,
  },
  {
    name: 'Numeric matching: only works with JSON numbers (the string "5")',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    event: withDetail({ 'c-count': '5' }),
    expected: false,
  },
  {
    name: 'Comparison operators, Numeric (range): Price more than 10 and at most 20 (20)',
    pattern: { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    event: withDetail({ Price: 20 }),
    expected: true,
  },
  {
    name: 'Comparison operators, Numeric (range): Price 10 is not more than 10',
    pattern: { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    event: withDetail({ Price: 10 }),
    expected: false,
  },
  {
    name: 'Comparison operators, Numeric (equals): Price is 100',
    pattern: { detail: { Price: [{ numeric: ['=', 100] }] } },
    event: withDetail({ Price: 100 }),
    expected: true,
  },
  {
    name: 'Numeric matching (local choice): bounds in either order, ["<", 10, ">=", 0] holds for 0',
    pattern: { detail: { 'd-count': [{ numeric: ['<', 10, '>=', 0] }] } },
    event: withDetail({ 'd-count': 0 }),
    expected: true,
  },
  {
    name: 'Numeric matching (local choice): bounds in either order, ["<", 10, ">=", 0] fails for 10',
    pattern: { detail: { 'd-count': [{ numeric: ['<', 10, '>=', 0] }] } },
    event: withDetail({ 'd-count': 10 }),
    expected: false,
  },

  // --- Comparison operators: IP address matching --------------------------------------------
  {
    name: 'IP address matching: 10.0.0.33 is in 10.0.0.0/24',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: FILTERING_EVENT,
    expected: true,
  },
  {
    name: 'IP address matching: 10.0.0.255 is the last address of 10.0.0.0/24',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: withDetail({ sourceIPAddress: '10.0.0.255' }),
    expected: true,
  },
  {
    name: 'IP address matching: 10.0.1.1 is outside 10.0.0.0/24',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: withDetail({ sourceIPAddress: '10.0.1.1' }),
    expected: false,
  },
  {
    name: 'IP address matching: IPv6, 2001:db8:1::1 is in 2001:db8::/32',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    event: withDetail({ sourceIPAddress: '2001:db8:1::1' }),
    expected: true,
  },
  {
    name: 'IP address matching: IPv6, 2001:db9::1 is outside 2001:db8::/32',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    event: withDetail({ sourceIPAddress: '2001:db9::1' }),
    expected: false,
  },
  {
    name: 'IP address matching: an IPv6 address is not in an IPv4 block',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
    event: withDetail({ sourceIPAddress: '2001:db8::1' }),
    expected: false,
  },

  // --- Comparison operators: Exists matching ------------------------------------------------
  {
    name: 'Exists matching: exists true matches an event that has detail.state',
    pattern: { detail: { state: [{ exists: true }] } },
    event: withDetail(
      { 'instance-id': 'i-abcd1111', state: 'pending' },
      { id: '7bf73129-1428-4cd3-a780-95db273d1602', account: '123456789012', region: 'us-east-1' },
    ),
    expected: true,
  },
  {
    name: 'Exists matching: exists true does not match an event without detail.state',
    pattern: { detail: { state: [{ exists: true }] } },
    event: withDetail({ 'c-count': { c1: 100 } }),
    expected: false,
  },
  {
    name: 'Exists matching: exists false matches an event without detail.c-count',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: ['initializing', 'running'] }),
    expected: true,
  },
  {
    name: 'Exists matching: exists false also matches when c-count is not a leaf node',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }),
    expected: true,
  },
  {
    name: 'Exists matching: exists true does not match a non-leaf c-count (leaf nodes only)',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: withDetail({ 'c-count': { c1: 100 } }),
    expected: false,
  },
  {
    name: 'Exists matching: exists false does not match a present detail.c-count',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: FILTERING_EVENT,
    expected: false,
  },
  {
    name: 'Comparison operators, Exists: ProductName exists even when its value is null',
    pattern: { detail: { ProductName: [{ exists: true }] } },
    event: withDetail({ ProductName: null }),
    expected: true,
  },

  // --- Comparison operators: Equals-ignore-case matching ------------------------------------
  {
    name: 'Equals-ignore-case matching: detail-type in lower case',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    event: EC2_EVENT,
    expected: true,
  },
  {
    name: 'Comparison operators, Equals (ignore case): Name is "Alice" for pattern "alice"',
    pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    event: withDetail({ Name: 'Alice' }),
    expected: true,
  },
  {
    name: 'Comparison operators, Equals (ignore case): "Alicia" is not "alice"',
    pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    event: withDetail({ Name: 'Alicia' }),
    expected: false,
  },

  // --- Comparison operators: Wildcard matching ----------------------------------------------
  {
    name: 'Wildcard matching: "dir/*.png" matches a .png file deep inside dir',
    pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    event: withDetail({ FileName: 'dir/dir/dir/dir/dir/doc.png' }),
    expected: true,
  },
  {
    name: 'Wildcard matching: "dir/*.png" does not match a .jpg file',
    pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    event: withDetail({ FileName: 'dir/doc.jpg' }),
    expected: false,
  },
  {
    name: 'Wildcard matching: the wildcard is anchored at both ends ("dir/*" vs "xdir/a")',
    pattern: { detail: { FileName: [{ wildcard: 'dir/*' }] } },
    event: withDetail({ FileName: 'xdir/a' }),
    expected: false,
  },
  {
    name: 'Wildcard matching: several wildcards in an event bus ARN (any account, any bus)',
    pattern: { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
    event: withDetail({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }),
    expected: true,
  },
  {
    name: 'Wildcard matching: event bus ARN in another Region does not match',
    pattern: { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
    event: withDetail({ EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' }),
    expected: false,
  },
  {
    name: 'Wildcard matching: an escaped \\* is a literal star ("a*b")',
    pattern: { detail: { FileName: [{ wildcard: 'a\\*b' }] } },
    event: withDetail({ FileName: 'a*b' }),
    expected: true,
  },
  {
    name: 'Wildcard matching: an escaped \\* does not act as a wildcard ("aXb")',
    pattern: { detail: { FileName: [{ wildcard: 'a\\*b' }] } },
    event: withDetail({ FileName: 'aXb' }),
    expected: false,
  },
  {
    name: 'Wildcard matching: only works on string values',
    pattern: { detail: { 'c-count': [{ wildcard: '*' }] } },
    event: FILTERING_EVENT,
    expected: false,
  },

  // --- Comparison operators: And / Equals / Empty / Null ------------------------------------
  {
    name: 'Comparison operators, And: Location is "New York" and Day is "Monday"',
    pattern: { detail: { Location: ['New York'], Day: ['Monday'] } },
    event: withDetail({ Location: 'New York', Day: 'Monday' }),
    expected: true,
  },
  {
    name: 'Comparison operators, And: Day "Tuesday" fails the AND',
    pattern: { detail: { Location: ['New York'], Day: ['Monday'] } },
    event: withDetail({ Location: 'New York', Day: 'Tuesday' }),
    expected: false,
  },
  {
    name: 'Comparison operators, Equals: Name is "Alice"',
    pattern: { detail: { Name: ['Alice'] } },
    event: withDetail({ Name: 'Alice' }),
    expected: true,
  },
  {
    name: 'Comparison operators, Empty: LastName is empty',
    pattern: { detail: { LastName: [''] } },
    event: withDetail({ LastName: '' }),
    expected: true,
  },
  {
    name: 'Comparison operators, Null: UserID is null',
    pattern: { detail: { UserID: [null] } },
    event: withDetail({ UserID: null }),
    expected: true,
  },
  {
    name: 'Comparison operators, Or (values): PaymentType is "Credit" or "Debit"',
    pattern: { detail: { PaymentType: ['Credit', 'Debit'] } },
    event: withDetail({ PaymentType: 'Debit' }),
    expected: true,
  },

  // --- Comparison operators: $or matching ---------------------------------------------------
  {
    name: '$or matching: Location is "New York", or Day is "Monday" (only Day holds)',
    pattern: { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    event: withDetail({ Location: 'Boston', Day: 'Monday' }),
    expected: true,
  },
  {
    name: '$or matching: neither Location nor Day holds',
    pattern: { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    event: withDetail({ Location: 'Boston', Day: 'Tuesday' }),
    expected: false,
  },
  {
    name: '$or matching: c-count, d-count or x-limit (only d-count < 10 holds)',
    pattern: OR_NUMERIC_PATTERN,
    event: withDetail({ 'c-count': 10, 'd-count': 3, 'x-limit': 1 }),
    expected: true,
  },
  {
    name: '$or matching: none of c-count, d-count, x-limit holds',
    pattern: OR_NUMERIC_PATTERN,
    event: withDetail({ 'c-count': 10, 'd-count': 20, 'x-limit': 1 }),
    expected: false,
  },
  {
    name: '$or matching (event-ruler): source AND (metricName OR namespace) at the top level',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { ...EC2_EVENT, source: 'aws.cloudwatch', namespace: 'AWS/EC2' },
    expected: true,
  },
  {
    name: '$or matching (event-ruler): the AND with source still applies',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { ...EC2_EVENT, namespace: 'AWS/EC2' },
    expected: false,
  },

  // --- Content filtering: Complex example with multiple matching ----------------------------
  {
    name: 'Complex example: prefix, anything-but and numeric all hold',
    pattern: COMPLEX_PATTERN,
    event: FILTERING_EVENT,
    expected: true,
  },
  {
    name: 'Complex example: x-limit 200 is excluded by anything-but [100, 200, 300]',
    pattern: COMPLEX_PATTERN,
    event: withDetail({ ...FILTERING_DETAIL, 'x-limit': 200 }, { time: '2017-10-02T16:24:49Z' }),
    expected: false,
  },
  {
    name: 'Complex example: a time on another day fails the prefix',
    pattern: COMPLEX_PATTERN,
    event: { ...FILTERING_EVENT, time: '2017-10-03T00:00:00Z' },
    expected: false,
  },
];

describe('matchesPattern: AWS EventBridge conformance table', () => {
  it('has at least 45 documented cases', () => {
    expect(CONFORMANCE.length).toBeGreaterThanOrEqual(45);
  });

  // '%s' on the name keeps the whole case name in the report; '$name' would shorten it.
  it.each(CONFORMANCE.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    expect(matchesPattern(testCase.pattern, testCase.event)).toBe(testCase.expected);
  });
});

describe('matchesPattern', () => {
  it('does not match an event that is not a JSON object', () => {
    expect(matchesPattern({ source: ['aws.ec2'] }, null)).toBe(false);
    expect(matchesPattern({ source: ['aws.ec2'] }, ['aws.ec2'])).toBe(false);
  });

  it('ignores inherited properties of the event object', () => {
    expect(matchesPattern({ constructor: [{ exists: true }] }, EC2_EVENT)).toBe(false);
    expect(matchesPattern({ constructor: [{ exists: false }] }, EC2_EVENT)).toBe(true);
  });

  it('does not let the literal runs around a wildcard overlap', () => {
    expect(matchesPattern({ detail: { name: [{ wildcard: 'ab*ba' }] } }, withDetail({ name: 'aba' }))).toBe(
      false,
    );
    expect(matchesPattern({ detail: { name: [{ wildcard: 'ab*ba' }] } }, withDetail({ name: 'abba' }))).toBe(
      true,
    );
  });

  it('treats a field under a missing parent object as absent', () => {
    const { detail: _detail, ...withoutDetail } = EC2_EVENT;
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, withoutDetail)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: true }] } }, withoutDetail)).toBe(false);
  });

  it('throws for an invalid pattern instead of quietly matching nothing', () => {
    expect(() => matchesPattern({ source: 'aws.ec2' }, EC2_EVENT)).toThrow(/at source:/);
  });
});

describe('validatePattern', () => {
  it.each(CONFORMANCE.map((testCase) => [testCase.name, testCase.pattern] as const))(
    'accepts the pattern of: %s',
    (_name, pattern) => {
      expect(() => validatePattern(pattern)).not.toThrow();
    },
  );

  it.each<{ name: string; pattern: unknown; error: RegExp }>([
    { name: 'a string pattern', pattern: 'aws.ec2', error: /at \(root\): a pattern must be a JSON object/ },
    { name: 'an array pattern', pattern: [{ source: ['aws.ec2'] }], error: /at \(root\): .*JSON object/ },
    { name: 'a null pattern', pattern: null, error: /at \(root\)/ },
    { name: 'an empty pattern', pattern: {}, error: /at \(root\): empty objects are not allowed/ },
    { name: 'a non-array top-level leaf', pattern: { source: 'aws.ec2' }, error: /at source: .*array/ },
    {
      name: 'a non-array nested leaf',
      pattern: { detail: { state: 'terminated' } },
      error: /at detail\.state: .*array, e\.g\. \["terminated"\]/,
    },
    { name: 'a number leaf', pattern: { detail: { count: 2 } }, error: /at detail\.count: .*array/ },
    { name: 'an empty nested object', pattern: { detail: {} }, error: /at detail: empty objects/ },
    {
      name: 'an empty value list',
      pattern: { detail: { state: [] } },
      error: /at detail\.state: empty arrays/,
    },
    {
      name: 'a nested array value',
      pattern: { detail: { state: [['running']] } },
      error: /at detail\.state\[0\]: values must be strings/,
    },
    {
      name: 'an unknown operator',
      pattern: { detail: { state: [{ prefixx: 'init' }] } },
      error: /at detail\.state\[0\]: unknown operator "prefixx"/,
    },
    {
      name: 'an operator object with two keys',
      pattern: { detail: { state: [{ prefix: 'a', suffix: 'b' }] } },
      error: /at detail\.state\[0\]: an operator object needs exactly one key, found 2/,
    },
    {
      name: 'an empty operator object',
      pattern: { detail: { state: [{}] } },
      error: /at detail\.state\[0\]: an operator object needs exactly one key, found 0/,
    },
    {
      name: 'a non-string prefix',
      pattern: { time: [{ prefix: 2017 }] },
      error: /at time\[0\]\.prefix: prefix needs a string/,
    },
    {
      name: 'an unsupported option under prefix',
      pattern: { time: [{ prefix: { wildcard: '2017*' } }] },
      error: /at time\[0\]\.prefix: the only operator allowed here is \{"equals-ignore-case": string\}/,
    },
    {
      name: 'a non-string equals-ignore-case',
      pattern: { detail: { Name: [{ 'equals-ignore-case': 1 }] } },
      error: /at detail\.Name\[0\]\.equals-ignore-case/,
    },
    {
      name: 'a numeric operator list of the wrong length',
      pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<='] }] } },
      error: /at detail\.c-count\[0\]\.numeric: numeric needs \[operator, number\]/,
    },
    {
      name: 'a numeric operator that is not a list',
      pattern: { detail: { 'c-count': [{ numeric: '>5' }] } },
      error: /at detail\.c-count\[0\]\.numeric: numeric needs/,
    },
    {
      name: 'an unknown numeric operator',
      pattern: { detail: { 'c-count': [{ numeric: ['!=', 3] }] } },
      error: /at detail\.c-count\[0\]\.numeric\[0\]: unknown numeric operator "!="/,
    },
    {
      name: 'a numeric bound that is a string',
      pattern: { detail: { 'c-count': [{ numeric: ['>', '0'] }] } },
      error: /at detail\.c-count\[0\]\.numeric\[1\]: the value after ">" must be a number/,
    },
    {
      name: 'a numeric range with two lower bounds',
      pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '>=', 5] }] } },
      error: /numeric: a range needs one lower bound/,
    },
    {
      name: 'a numeric range with "="',
      pattern: { detail: { 'c-count': [{ numeric: ['=', 0, '<', 5] }] } },
      error: /numeric: "=" cannot be part of a range/,
    },
    {
      name: 'an empty numeric range',
      pattern: { detail: { 'c-count': [{ numeric: ['>', 10, '<', 5] }] } },
      error: /numeric: the lower bound 10 must be below the upper bound 5/,
    },
    {
      name: 'anything-but with a boolean',
      pattern: { detail: { state: [{ 'anything-but': true }] } },
      error: /at detail\.state\[0\]\.anything-but: anything-but needs a string, a number/,
    },
    {
      name: 'anything-but with null',
      pattern: { detail: { state: [{ 'anything-but': null }] } },
      error: /at detail\.state\[0\]\.anything-but:/,
    },
    {
      name: 'anything-but with a mixed list',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 1] }] } },
      error: /anything-but: a list of excluded values must hold only strings or only numbers/,
    },
    {
      name: 'anything-but with an empty list',
      pattern: { detail: { state: [{ 'anything-but': [] }] } },
      error: /anything-but: the list of excluded values must not be empty/,
    },
    {
      name: 'anything-but with an unsupported operator',
      pattern: { detail: { 'x-limit': [{ 'anything-but': { numeric: ['>', 5] } }] } },
      error: /anything-but: unsupported anything-but operator "numeric"/,
    },
    {
      name: 'anything-but with an empty prefix',
      pattern: { detail: { state: [{ 'anything-but': { prefix: '' } }] } },
      error: /anything-but\.prefix: an empty prefix is not allowed/,
    },
    {
      name: 'anything-but with a non-string suffix',
      pattern: { detail: { FileName: [{ 'anything-but': { suffix: 5 } }] } },
      error: /anything-but\.suffix: suffix inside anything-but needs a string/,
    },
    {
      name: 'anything-but with an invalid wildcard in a list',
      pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '**/bin'] } }] } },
      error: /anything-but\.wildcard\[1\]: consecutive wildcard characters/,
    },
    {
      name: 'exists with a string',
      pattern: { detail: { state: [{ exists: 'true' }] } },
      error: /at detail\.state\[0\]\.exists: exists needs true or false/,
    },
    {
      name: 'a wildcard with consecutive stars',
      pattern: { detail: { FileName: [{ wildcard: 'dir/**.png' }] } },
      error: /at detail\.FileName\[0\]\.wildcard: consecutive wildcard characters/,
    },
    {
      name: 'a wildcard with an unsupported escape',
      pattern: { detail: { FileName: [{ wildcard: 'dir\\d' }] } },
      error: /wildcard: a backslash may only escape/,
    },
    {
      name: 'a cidr without a mask',
      pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0' }] } },
      error: /at detail\.sourceIPAddress\[0\]\.cidr: "10\.0\.0\.0" is not a CIDR block/,
    },
    {
      name: 'a cidr with a bad IPv4 address',
      pattern: { detail: { sourceIPAddress: [{ cidr: '300.0.0.0/8' }] } },
      error: /cidr: "300\.0\.0\.0\/8" is not a CIDR block/,
    },
    {
      name: 'an IPv4 cidr mask above 32',
      pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/33' }] } },
      error: /cidr: "10\.0\.0\.0\/33": an IPv4 mask is 0 to 32 bits/,
    },
    {
      name: 'an IPv6 cidr mask above 128',
      pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/129' }] } },
      error: /an IPv6 mask is 0 to 128 bits/,
    },
    {
      name: 'a malformed IPv6 cidr',
      pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::1::/64' }] } },
      error: /is not a CIDR block/,
    },
    {
      name: '$or that is not an array',
      pattern: { detail: { $or: { Location: ['New York'] } } },
      error: /at detail\.\$or: "\$or" must be an array of at least two sub-patterns/,
    },
    {
      name: '$or with a single branch',
      pattern: { $or: [{ source: ['aws.ec2'] }] },
      error: /at \$or: "\$or" must be an array of at least two sub-patterns/,
    },
    {
      name: '$or with a non-object branch',
      pattern: { $or: [{ source: ['aws.ec2'] }, ['aws.s3']] },
      error: /at \$or\[1\]: each "\$or" branch must be an object/,
    },
    {
      name: 'an invalid leaf inside a $or branch',
      pattern: { detail: { $or: [{ Location: ['New York'] }, { Day: 'Monday' }] } },
      error: /at detail\.\$or\[1\]\.Day: .*array/,
    },
  ])('rejects $name', ({ pattern, error }) => {
    expect(() => validatePattern(pattern)).toThrow(error);
  });

  it('accepts every documented operator form', () => {
    expect(() =>
      validatePattern({
        detail: {
          a: ['x', 1, true, null, ''],
          b: [{ prefix: 'p' }, { prefix: { 'equals-ignore-case': 'P' } }],
          c: [{ suffix: 's' }, { suffix: { 'equals-ignore-case': 'S' } }],
          d: [{ 'anything-but': 'x' }, { 'anything-but': 1 }, { 'anything-but': ['x', 'y'] }],
          e: [
            { 'anything-but': [1, 2] },
            { 'anything-but': { prefix: 'p' } },
            { 'anything-but': { suffix: 's' } },
          ],
          f: [
            { 'anything-but': { 'equals-ignore-case': 'x' } },
            { 'anything-but': { 'equals-ignore-case': ['x'] } },
          ],
          g: [
            { 'anything-but': { wildcard: '*/lib/*' } },
            { 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } },
          ],
          h: [{ numeric: ['=', 1] }, { numeric: ['<', 10, '>=', 0] }, { numeric: ['>=', -1e9, '<', 1e9] }],
          i: [{ exists: true }, { exists: false }, { 'equals-ignore-case': 'x' }],
          j: [{ wildcard: 'a*b\\*c\\\\d' }, { cidr: '0.0.0.0/0' }, { cidr: '::ffff:10.0.0.0/120' }],
        },
      }),
    ).not.toThrow();
  });
});
