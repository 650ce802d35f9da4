import { describe, expect, it } from 'vitest';
import {
  InvalidPatternError,
  matchesPattern,
  validatePattern,
  type EventPattern,
} from '../../functions/adapters/local/event-pattern.js';

// Sample events and patterns from the Amazon EventBridge user guide ("Event
// patterns", "Content filtering in Amazon EventBridge event patterns",
// "Comparison operators", "Arrays in event patterns", "Matching null values and
// empty strings") and the event-ruler README that the guide's examples come from.

/** "Event patterns": the simple EC2 instance-termination event. */
const ec2Terminated = {
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

/** Content-filtering sample: the EC2 state-change event with counters and a source IP. */
const ec2Running = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip-address': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** Replaces fields of `ec2Running.detail`; `undefined` removes a field. */
function runningWith(detail: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...ec2Running.detail, ...detail };
  for (const [key, value] of Object.entries(detail)) if (value === undefined) delete merged[key];
  return { ...ec2Running, detail: merged };
}

/** "Matching null values and empty strings": the Auto Scaling launch event. */
const autoscalingLaunch = {
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

/** "Event patterns" value matching: the (truncated) Macie Classic alert. */
const macieAlert = {
  version: '0',
  id: '3e355723-fca9-4de3-9fd7-154c289d6b59',
  'detail-type': 'Macie Alert',
  source: 'aws.macie',
  account: '123456789012',
  time: '2017-04-24T22:28:49Z',
  region: 'us-east-1',
  resources: [
    'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_id',
    'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id',
  ],
  detail: {
    'notification-type': 'ALERT_CREATED',
    name: 'Scanning bucket policies',
    tags: ['Custom_Alert', 'Insider'],
    'risk-score': 80,
    trigger: { 'alert-type': 'basic', risk: 8 },
  },
};

/** "Arrays in event patterns": an event whose resources array holds two ARNs. */
const asgTerminate = {
  resources: [
    'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
    'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
  ],
};

/** Array-consistency example: fields of one pattern object must come from one array element. */
const employees = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

const complexPattern: EventPattern = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
    'source-ip-address': [{ cidr: '10.0.0.0/8' }],
  },
};

const cloudwatchOr: EventPattern = {
  source: ['aws.cloudwatch'],
  $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
};

const detailCountsOr: EventPattern = {
  detail: {
    $or: [
      { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
      { 'd-count': [{ numeric: ['<', 10] }] },
      { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
    ],
  },
};

interface Case {
  name: string;
  pattern: EventPattern;
  event: Record<string, unknown>;
  expected: boolean;
}

const cases: Case[] = [
  // --- Exact values, AND across fields, OR within a leaf ------------------
  {
    name: 'EC2 termination pattern matches the termination event',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } },
    event: ec2Terminated,
    expected: true,
  },
  {
    name: 'EC2 termination pattern does not match a running instance',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } },
    event: ec2Running,
    expected: false,
  },
  {
    name: 'detail.state ["running"] does not match state "terminated"',
    pattern: { detail: { state: ['running'] } },
    event: ec2Terminated,
    expected: false,
  },
  {
    name: 'source ["aws.ec2", "aws.fargate"] matches either source',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    event: ec2Terminated,
    expected: true,
  },
  {
    name: 'one failing field fails the whole pattern (fields are ANDed)',
    pattern: { source: ['aws.ec2'], region: ['eu-west-1'] },
    event: ec2Terminated,
    expected: false,
  },
  {
    name: 'string matching is case-sensitive',
    pattern: { detail: { state: ['Terminated'] } },
    event: ec2Terminated,
    expected: false,
  },
  {
    name: 'a pattern field absent from the event does not match',
    pattern: { detail: { 'previous-state': ['pending'] } },
    event: ec2Terminated,
    expected: false,
  },
  {
    name: 'fields must appear with the same nesting (state is under detail)',
    pattern: { state: ['terminated'] },
    event: ec2Terminated,
    expected: false,
  },
  {
    name: 'simple matching: detail-type, resources and state ["initializing", "running"]',
    pattern: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'Macie alert: risk-score [80] and nested trigger.risk [8]',
    pattern: { source: ['aws.macie'], 'detail-type': ['Macie Alert'], detail: { 'risk-score': [80], trigger: { risk: [8] } } },
    event: macieAlert,
    expected: true,
  },
  {
    name: 'Macie alert: nested trigger.risk [9] does not match risk 8',
    pattern: { source: ['aws.macie'], detail: { 'risk-score': [80], trigger: { risk: [9] } } },
    event: macieAlert,
    expected: false,
  },
  {
    name: 'a number pattern does not match the same digits as a string',
    pattern: { detail: { 'risk-score': ['80'] } },
    event: macieAlert,
    expected: false,
  },

  // --- Arrays in events ----------------------------------------------------
  {
    name: 'resources pattern matches when its intersection with the event array is non-empty',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: asgTerminate,
    expected: true,
  },
  {
    name: 'resources pattern does not match when no element is shared',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: asgTerminate,
    expected: false,
  },
  {
    name: 'a value inside an event array (Macie tags) matches',
    pattern: { detail: { tags: ['Insider'] } },
    event: macieAlert,
    expected: true,
  },
  {
    name: 'objects inside an event array are matched through the array',
    pattern: { employees: { firstName: ['Anna'] } },
    event: employees,
    expected: true,
  },
  {
    name: 'fields taken from different array elements do not combine',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    event: employees,
    expected: false,
  },

  // --- Null and empty string ----------------------------------------------
  {
    name: 'responseElements [null] matches a null value',
    pattern: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } },
    event: autoscalingLaunch,
    expected: true,
  },
  {
    name: 'eventVersion [""] matches an empty string',
    pattern: { detail: { eventVersion: [''] } },
    event: autoscalingLaunch,
    expected: true,
  },
  {
    name: 'an empty-string pattern does not match null',
    pattern: { detail: { responseElements: [''] } },
    event: autoscalingLaunch,
    expected: false,
  },
  {
    name: 'a null pattern does not match an empty string',
    pattern: { detail: { eventVersion: [null] } },
    event: autoscalingLaunch,
    expected: false,
  },
  {
    name: 'UserID [null] does not match an absent UserID',
    pattern: { UserID: [null] },
    event: { Name: 'Alice' },
    expected: false,
  },

  // --- prefix / suffix / equals-ignore-case ---------------------------------
  {
    name: 'time prefix "2017-10-02" matches "2017-10-02T16:24:49Z"',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'time prefix "2017-10-02" does not match "2017-12-22T18:43:48Z"',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: ec2Terminated,
    expected: false,
  },
  {
    name: 'prefix matching is case-sensitive',
    pattern: { region: [{ prefix: 'US-' }] },
    event: ec2Running,
    expected: false,
  },
  {
    name: 'prefix equals-ignore-case "EventB" matches "EVENTBRIDGE"',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: { detail: { service: 'EVENTBRIDGE' } },
    expected: true,
  },
  {
    name: 'prefix equals-ignore-case "EventB" does not match "lambda"',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: { detail: { service: 'lambda' } },
    expected: false,
  },
  {
    name: 'FileName suffix ".png" matches "image.png"',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'image.png' },
    expected: true,
  },
  {
    name: 'FileName suffix ".png" does not match "image.PNG"',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'image.PNG' },
    expected: false,
  },
  {
    name: 'suffix equals-ignore-case ".png" matches "image.PNG"',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: { detail: { FileName: 'image.PNG' } },
    expected: true,
  },
  {
    name: 'suffix equals-ignore-case "tBridge" does not match "EventBus"',
    pattern: { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] },
    event: { service: 'EventBus' },
    expected: false,
  },
  {
    name: 'Name equals-ignore-case "alice" matches "Alice"',
    pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
    event: { Name: 'Alice' },
    expected: true,
  },
  {
    name: 'Name equals-ignore-case "alice" does not match "Alicia"',
    pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
    event: { Name: 'Alicia' },
    expected: false,
  },
  {
    name: 'LastName [""] matches an empty LastName',
    pattern: { LastName: [''] },
    event: { LastName: '' },
    expected: true,
  },

  // --- anything-but -------------------------------------------------------
  {
    name: 'state anything-but "initializing" matches "running"',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'state anything-but "initializing" does not match "initializing"',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: runningWith({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'x-limit anything-but 123 matches 301.8',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'state anything-but ["stopped", "overloaded"] does not match "stopped"',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: runningWith({ state: 'stopped' }),
    expected: false,
  },
  {
    name: 'x-limit anything-but [100, 200, 300] does not match 200',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: runningWith({ 'x-limit': 200 }),
    expected: false,
  },
  {
    name: 'state anything-but prefix "init" matches "running"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'state anything-but prefix "init" does not match "initializing"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: runningWith({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'Region anything-but prefix "us-" does not match "us-east-1"',
    pattern: { region: [{ 'anything-but': { prefix: 'us-' } }] },
    event: ec2Running,
    expected: false,
  },
  {
    name: 'FileName anything-but suffix ".png" matches "notes.txt"',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'notes.txt' },
    expected: true,
  },
  {
    name: 'FileName anything-but suffix ".png" does not match "image.png"',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'image.png' },
    expected: false,
  },
  {
    name: 'state anything-but equals-ignore-case "initializing" does not match "INITIALIZING"',
    pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
    event: { state: 'INITIALIZING' },
    expected: false,
  },
  {
    name: 'FilePath anything-but wildcard "*/lib/*" does not match "/usr/lib/libc.so"',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/lib/libc.so' },
    expected: false,
  },
  {
    name: 'FilePath anything-but wildcard "*/lib/*" matches "/usr/bin/env"',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/bin/env' },
    expected: true,
  },
  {
    name: 'Weather anything-but "Raining" does not match an absent Weather',
    pattern: { Weather: [{ 'anything-but': 'Raining' }] },
    event: { Location: 'New York' },
    expected: false,
  },
  {
    name: 'anything-but matches when any element of an event array is not excluded',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: { detail: { state: ['initializing', 'running'] } },
    expected: true,
  },

  // --- numeric ------------------------------------------------------------
  {
    name: 'c-count numeric [">", 0, "<=", 5] matches 5 (upper bound inclusive)',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'c-count numeric [">", 0, "<=", 5] does not match 0 (lower bound exclusive)',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    event: runningWith({ 'c-count': 0 }),
    expected: false,
  },
  {
    name: 'c-count numeric [">", 0, "<=", 5] does not match 6',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    event: runningWith({ 'c-count': 6 }),
    expected: false,
  },
  {
    name: 'all three numeric fields match (c-count, d-count < 10, x-limit = 3.018e2)',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'numeric matching ignores strings that look like numbers',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    event: runningWith({ 'c-count': '5' }),
    expected: false,
  },
  {
    name: 'Price numeric [">", 10, "<=", 20] matches 20',
    pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] },
    event: { Price: 20 },
    expected: true,
  },
  {
    name: 'Price [100] matches the number 100 but not the string "100"',
    pattern: { Price: [100] },
    event: { Price: '100' },
    expected: false,
  },

  // --- cidr ---------------------------------------------------------------
  {
    name: 'source-ip-address cidr "10.0.0.0/24" matches 10.0.0.33',
    pattern: { detail: { 'source-ip-address': [{ cidr: '10.0.0.0/24' }] } },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'source-ip-address cidr "10.0.0.0/24" does not match 10.0.1.33',
    pattern: { detail: { 'source-ip-address': [{ cidr: '10.0.0.0/24' }] } },
    event: runningWith({ 'source-ip-address': '10.0.1.33' }),
    expected: false,
  },
  {
    name: 'IPv6 cidr "2001:db8::/32" matches 2001:db8:85a3::8a2e:370:7334',
    pattern: { detail: { 'source-ip-address': [{ cidr: '2001:db8::/32' }] } },
    event: runningWith({ 'source-ip-address': '2001:db8:85a3::8a2e:370:7334' }),
    expected: true,
  },
  {
    name: 'IPv6 cidr "2001:db8::/32" does not match an IPv4 address',
    pattern: { detail: { 'source-ip-address': [{ cidr: '2001:db8::/32' }] } },
    event: ec2Running,
    expected: false,
  },

  // --- exists -------------------------------------------------------------
  {
    name: 'c-count exists: true matches when c-count is present',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: ec2Running,
    expected: true,
  },
  {
    name: 'c-count exists: false does not match when c-count is present',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: ec2Running,
    expected: false,
  },
  {
    name: 'c-count exists: false matches an event without detail.c-count',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'] },
    },
    expected: true,
  },
  {
    name: 'c-count exists: false matches when c-count is an object (not a leaf)',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
    },
    expected: true,
  },
  {
    name: 'c-count exists: true does not match when c-count is an object (not a leaf)',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: { detail: { state: 'running', 'c-count': { c1: 100 } } },
    expected: false,
  },
  {
    name: 'ProductName exists: true does not match an absent ProductName',
    pattern: { ProductName: [{ exists: true }] },
    event: { Price: 100 },
    expected: false,
  },

  // --- wildcard -----------------------------------------------------------
  {
    name: 'EventBusArn wildcard matches any account in us-east-1',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' },
    expected: true,
  },
  {
    name: 'EventBusArn wildcard does not match another region',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/orders' },
    expected: false,
  },
  {
    name: 'FileName wildcard "dir/*.png" matches "dir/image.png"',
    pattern: { FileName: [{ wildcard: 'dir/*.png' }] },
    event: { FileName: 'dir/image.png' },
    expected: true,
  },
  {
    name: 'FileName wildcard "dir/*.png" does not match "dir/image.jpg"',
    pattern: { FileName: [{ wildcard: 'dir/*.png' }] },
    event: { FileName: 'dir/image.jpg' },
    expected: false,
  },
  {
    name: 'an escaped star "\\*" matches only a literal star',
    pattern: { FileName: [{ wildcard: 'report\\*.txt' }] },
    event: { FileName: 'report1.txt' },
    expected: false,
  },
  {
    name: 'an escaped star "\\*" matches a literal star',
    pattern: { FileName: [{ wildcard: 'report\\*.txt' }] },
    event: { FileName: 'report*.txt' },
    expected: true,
  },

  // --- $or ----------------------------------------------------------------
  {
    name: '$or: source and (metricName or namespace) matches via namespace',
    pattern: cloudwatchOr,
    event: { source: 'aws.cloudwatch', namespace: 'AWS/EC2', metricName: 'NetworkIn' },
    expected: true,
  },
  {
    name: '$or: no branch matches',
    pattern: cloudwatchOr,
    event: { source: 'aws.cloudwatch', namespace: 'AWS/Lambda', metricName: 'Invocations' },
    expected: false,
  },
  {
    name: '$or: a matching branch does not rescue a failing sibling field',
    pattern: cloudwatchOr,
    event: { source: 'aws.ec2', metricName: 'CPUUtilization' },
    expected: false,
  },
  {
    name: '$or inside detail matches when only d-count satisfies its branch',
    pattern: detailCountsOr,
    event: runningWith({ 'c-count': 50, 'x-limit': 1 }),
    expected: true,
  },
  {
    name: '$or inside detail does not match when every branch fails',
    pattern: detailCountsOr,
    event: runningWith({ 'c-count': 50, 'd-count': 10, 'x-limit': 1 }),
    expected: false,
  },
  {
    name: '$or: Location "New York" or Day "Monday" matches a Monday elsewhere',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    event: { Location: 'Boston', Day: 'Monday' },
    expected: true,
  },

  // --- Combined -----------------------------------------------------------
  {
    name: 'complex example (prefix, anything-but, numeric, cidr) matches the sample event',
    pattern: complexPattern,
    event: ec2Running,
    expected: true,
  },
  {
    name: 'complex example fails when x-limit is one of the excluded numbers',
    pattern: complexPattern,
    event: runningWith({ 'x-limit': 300 }),
    expected: false,
  },
];

describe('matchesPattern', () => {
  it('has a documentation-derived table with at least a third non-matches', () => {
    const nonMatches = cases.filter((c) => !c.expected).length;
    expect(cases.length).toBeGreaterThanOrEqual(45);
    expect(nonMatches * 3).toBeGreaterThanOrEqual(cases.length);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)('$name', ({ pattern, event, expected }) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('treats different spellings of the same IP address as equal', () => {
    expect(matchesPattern({ ip: ['2001:db8::1'] }, { ip: '2001:0db8:0:0:0:0:0:1' })).toBe(true);
    expect(matchesPattern({ ip: ['2001:db8::1'] }, { ip: '2001:db8::2' })).toBe(false);
  });

  it('rejects a malformed pattern instead of silently not matching', () => {
    expect(() => matchesPattern({ source: 'aws.ec2' }, ec2Terminated)).toThrow(InvalidPatternError);
  });
});

describe('validatePattern', () => {
  it('returns a valid pattern unchanged', () => {
    expect(validatePattern(complexPattern)).toBe(complexPattern);
    expect(validatePattern(detailCountsOr)).toBe(detailCountsOr);
  });

  const malformed: Array<{ name: string; pattern: unknown; message: RegExp }> = [
    { name: 'a pattern that is not an object', pattern: ['aws.ec2'], message: /must be a JSON object/ },
    { name: 'a leaf that is a bare string', pattern: { source: 'aws.ec2' }, message: /"source": must be an object or an array/ },
    { name: 'a leaf that is a bare number', pattern: { detail: { 'c-count': 5 } }, message: /"detail\.c-count": must be an object or an array/ },
    { name: 'an empty leaf array', pattern: { source: [] }, message: /"source": empty arrays are not allowed/ },
    { name: 'an empty object', pattern: { detail: {} }, message: /"detail": empty objects are not allowed/ },
    { name: 'a nested array as a match value', pattern: { source: [['aws.ec2']] }, message: /match values must be/ },
    { name: 'an unknown operator', pattern: { source: [{ foo: 1 }] }, message: /unrecognized match operator "foo"/ },
    { name: 'an operator object with two keys', pattern: { source: [{ prefix: 'a', suffix: 'b' }] }, message: /exactly one key/ },
    { name: 'numeric with an odd number of elements', pattern: { n: [{ numeric: ['>', 0, '<='] }] }, message: /"numeric" must have 2 or 4 elements, got 3/ },
    { name: 'numeric with a non-number bound', pattern: { n: [{ numeric: ['>', '0'] }] }, message: /bound after ">" must be a number/ },
    { name: 'numeric with an unknown operator', pattern: { n: [{ numeric: ['!=', 0] }] }, message: /operator must be one of/ },
    { name: 'numeric with the upper bound first', pattern: { n: [{ numeric: ['<', 10, '>', 0] }] }, message: /lower bound .* first/ },
    { name: 'numeric with an empty range', pattern: { n: [{ numeric: ['>', 5, '<', 5] }] }, message: /must be less than upper bound/ },
    { name: 'numeric that is not an array', pattern: { n: [{ numeric: 5 }] }, message: /"numeric" must be an array/ },
    { name: 'cidr that is not a string', pattern: { ip: [{ cidr: 10 }] }, message: /"cidr" must be a string/ },
    { name: 'cidr without a mask', pattern: { ip: [{ cidr: '10.0.0.0' }] }, message: /exactly one "\/" is required/ },
    { name: 'cidr with an invalid address', pattern: { ip: [{ cidr: '10.0.0/24' }] }, message: /not an IPv4 or IPv6 address/ },
    { name: 'cidr with a full-length IPv4 mask', pattern: { ip: [{ cidr: '10.0.0.1/32' }] }, message: /IPv4 mask bits must be < 32/ },
    { name: '$or that is not an array', pattern: { $or: { a: ['x'] } }, message: /"\$or" must be an array of pattern objects/ },
    { name: '$or holding a non-object', pattern: { $or: [{ a: ['x'] }, 'b'] }, message: /every element of "\$or" must be a pattern object/ },
    { name: '$or with a single branch', pattern: { $or: [{ a: ['x'] }] }, message: /at least 2 pattern objects/ },
    { name: 'an operator name used as a field inside $or', pattern: { $or: [{ prefix: ['x'] }, { a: ['y'] }] }, message: /operator name/ },
    { name: 'exists that is not a boolean', pattern: { a: [{ exists: 'yes' }] }, message: /"exists" must be true or false/ },
    { name: 'prefix that is a number', pattern: { a: [{ prefix: 1 }] }, message: /"prefix" must be a string or \{"equals-ignore-case": string\}/ },
    { name: 'prefix with an unsupported option', pattern: { a: [{ prefix: { wildcard: 'x*' } }] }, message: /unsupported "prefix" option "wildcard"/ },
    { name: 'anything-but list mixing strings and numbers', pattern: { a: [{ 'anything-but': ['a', 1] }] }, message: /only strings or only numbers/ },
    { name: 'anything-but with an empty list', pattern: { a: [{ 'anything-but': [] }] }, message: /must not be empty/ },
    { name: 'anything-but with null', pattern: { a: [{ 'anything-but': null }] }, message: /"anything-but" must be/ },
    { name: 'anything-but with an unsupported operator', pattern: { a: [{ 'anything-but': { numeric: ['>', 1] } }] }, message: /unsupported "anything-but" operator "numeric"/ },
    { name: 'anything-but with an empty prefix', pattern: { a: [{ 'anything-but': { prefix: '' } }] }, message: /prefix must not be empty/ },
    { name: 'a wildcard with consecutive stars', pattern: { a: [{ wildcard: 'a**b' }] }, message: /consecutive "\*"/ },
    { name: 'a wildcard with an invalid escape', pattern: { a: [{ wildcard: 'a\\b' }] }, message: /backslash that escapes neither/ },
    { name: 'equals-ignore-case that is not a string', pattern: { a: [{ 'equals-ignore-case': ['x'] }] }, message: /"equals-ignore-case" must be a string/ },
  ];

  it.each(malformed)('rejects $name', ({ pattern, message }) => {
    let caught: unknown;
    try {
      validatePattern(pattern);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPatternError);
    expect(caught).toHaveProperty('name', 'InvalidPatternError');
    expect((caught as Error).message).toMatch(message);
  });
});
