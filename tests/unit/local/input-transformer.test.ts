import { describe, expect, it } from 'vitest';
import { type EventEnvelope, jsonPath, renderInputTemplate, targetInput } from '../../../local/event-bus/bus';

// The EC2 example event of the EventBridge User Guide ("Amazon EventBridge input transformation").
const event: EventEnvelope = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', tags: ['a', 'b'], size: { cpus: 2 } },
};
const context = {
  ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
  ruleName: 'example',
  ingestedAt: new Date('2015-11-11T21:29:55.000Z'),
};
const paths = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
const render = (InputTemplate: string, InputPathsMap: Record<string, string> = paths) =>
  renderInputTemplate({ InputPathsMap, InputTemplate }, event, context);

describe('InputTemplate: the user guide examples', () => {
  it('simple string', () => {
    expect(JSON.parse(render('"instance <instance> is in <state>"'))).toBe(
      'instance i-0123456789 is in RUNNING',
    );
  });

  it('string with escaped quotes', () => {
    expect(JSON.parse(render('"instance \\"<instance>\\" is in <state>"'))).toBe(
      'instance "i-0123456789" is in RUNNING',
    );
  });

  it('simple JSON: variables outside quotes become JSON values', () => {
    expect(JSON.parse(render('{"instance" : <instance>, "state": <state>}'))).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
    });
  });

  it('JSON with strings and variables', () => {
    expect(
      JSON.parse(
        render(
          '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
        ),
      ),
    ).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
  });

  it('JSON with a mix of variables and static information', () => {
    expect(
      JSON.parse(render('{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}')),
    ).toEqual({ instance: 'i-0123456789', state: [9, 'RUNNING', true], Transformed: 'Yes' });
  });

  it('reserved variables in JSON', () => {
    const out = JSON.parse(
      render(
        '{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "original": <aws.events.event>, "full": <aws.events.event.json>, "at": <aws.events.event.ingestion-time>}',
      ),
    );
    expect(out.ruleArn).toBe(context.ruleArn);
    expect(out.ruleName).toBe('example');
    // aws.events.event is the event without `detail`; aws.events.event.json is all of it.
    const { detail: _detail, ...withoutDetail } = event;
    expect(out.original).toEqual(withoutDetail);
    expect(out.full).toEqual(event);
    expect(out.at).toBe('2015-11-11T21:29:55.000Z');
  });

  it('reserved variables in a string', () => {
    expect(JSON.parse(render('"<aws.events.rule-name> triggered"'))).toBe('example triggered');
  });
});

describe('InputTemplate: values of every kind', () => {
  it('keeps objects, arrays and numbers as JSON outside quotes', () => {
    const out = JSON.parse(
      render('{"tags": <tags>, "size": <size>, "cpus": <cpus>}', {
        tags: '$.detail.tags',
        size: '$.detail.size',
        cpus: '$.detail.size.cpus',
      }),
    );
    expect(out).toEqual({ tags: ['a', 'b'], size: { cpus: 2 }, cpus: 2 });
  });

  it('writes non-strings inside quotes as their escaped JSON text', () => {
    expect(
      JSON.parse(render('"cpus=<cpus> size=<size>"', { cpus: '$.detail.size.cpus', size: '$.detail.size' })),
    ).toBe('cpus=2 size={"cpus":2}');
  });

  it('escapes a string value so the output stays valid JSON', () => {
    const quoted = { ...event, detail: { note: 'say "hi"\nnow' } };
    const out = renderInputTemplate(
      { InputPathsMap: { note: '$.detail.note' }, InputTemplate: '{"a": "<note>", "b": <note>}' },
      quoted,
      context,
    );
    expect(JSON.parse(out)).toEqual({ a: 'say "hi"\nnow', b: 'say "hi"\nnow' });
  });

  it('a path missing from the event: nothing inside a string, null as a value', () => {
    expect(JSON.parse(render('{"a": "x<missing>y", "b": <missing>}', { missing: '$.detail.nope' }))).toEqual({
      a: 'xy',
      b: null,
    });
  });

  it('leaves a <name> that is no variable as written', () => {
    expect(JSON.parse(render('"a <b> c"', {}))).toBe('a <b> c');
  });
});

describe('targetInput', () => {
  it('sends the whole event by default', () => {
    expect(JSON.parse(targetInput({}, event, context))).toEqual(event);
  });

  it('sends Input as given, nothing from the event', () => {
    expect(targetInput({ Input: '{"fixed":true}' }, event, context)).toBe('{"fixed":true}');
  });

  it('sends the part InputPath selects', () => {
    expect(JSON.parse(targetInput({ InputPath: '$.detail' }, event, context))).toEqual(event.detail);
    expect(JSON.parse(targetInput({ InputPath: '$.detail.state' }, event, context))).toBe('RUNNING');
    expect(JSON.parse(targetInput({ InputPath: '$.nope' }, event, context))).toBeNull();
  });
});

describe('jsonPath', () => {
  const doc = { a: { 'b-c': [{ d: 1 }, { d: 2 }], 'e/f': 'slash' } };
  it('follows dots, dashes, slashes, indexes and brackets', () => {
    expect(jsonPath(doc, '$')).toEqual(doc);
    expect(jsonPath(doc, '$.a.b-c[1].d')).toBe(2);
    expect(jsonPath(doc, "$['a']['e/f']")).toBe('slash');
    expect(jsonPath(doc, '$.a.e/f')).toBe('slash');
  });

  it('collects what a wildcard reaches', () => {
    expect(jsonPath(doc, '$.a.b-c[*].d')).toEqual([1, 2]);
    expect(jsonPath(doc, '$.a.b-c.*.d')).toEqual([1, 2]);
  });

  it('is undefined when nothing matches', () => {
    expect(jsonPath(doc, '$.x.y')).toBeUndefined();
    expect(jsonPath(doc, '$.a.b-c[5]')).toBeUndefined();
  });
});
