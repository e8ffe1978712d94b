import { expect } from 'chai';
import { ValidationError } from '../../../lib';
import { FIELD_MESSAGES, parseCharField, parseFields } from '../../../lib/extend';
import { pyStrip, pythonTypeName } from '../../../lib/serializers/fields';

function fieldErrors(fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    return (err as ValidationError).toJSON();
  }
  throw new Error('expected a ValidationError');
}

describe('serializer fields: CharField parsing', () => {
  it('trims surrounding whitespace, the password too', () => {
    expect(parseCharField('  alice \n')).to.deep.equal({ value: 'alice' });
    expect(parseCharField('\t pass word \r\n')).to.deep.equal({ value: 'pass word' });
  });

  it("strips what Python's str.strip() strips, not what String#trim() does", () => {
    expect(pyStrip('\u001c\u0085x\u0085\u001f')).to.equal('x');
    expect(pyStrip('\ufeffx\ufeff')).to.equal('\ufeffx\ufeff');
    expect(pyStrip('\u00a0\u3000x\u2029')).to.equal('x');
  });

  it('turns numbers into strings', () => {
    expect(parseCharField(42)).to.deep.equal({ value: '42' });
    expect(parseCharField(1.5)).to.deep.equal({ value: '1.5' });
    expect(parseCharField(0)).to.deep.equal({ value: '0' });
  });

  for (const [label, value] of [
    ['a list', ['alice']],
    ['an empty list', []],
    ['an object', { $ne: '' }],
    ['true', true],
    ['false', false],
  ] as const) {
    it(`refuses ${label} as "Not a valid string."`, () => {
      expect(parseCharField(value)).to.deep.equal({ error: FIELD_MESSAGES.invalid });
    });
  }

  it('reports missing, null and blank with their own messages', () => {
    expect(parseCharField(undefined)).to.deep.equal({ error: 'This field is required.' });
    expect(parseCharField(null)).to.deep.equal({ error: 'This field may not be null.' });
    expect(parseCharField('')).to.deep.equal({ error: 'This field may not be blank.' });
    expect(parseCharField('   \n')).to.deep.equal({ error: 'This field may not be blank.' });
  });

  it('refuses null characters and lone surrogates', () => {
    expect(parseCharField('al\u0000ice')).to.deep.equal({ error: 'Null characters are not allowed.' });
    expect(parseCharField('a\ud800b')).to.deep.equal({ error: 'Surrogate characters are not allowed: U+D800.' });
    expect(parseCharField('\ud83d\ude00')).to.deep.equal({ value: '\ud83d\ude00' });
  });

  it('names JSON values as Python types', () => {
    expect([[], 'x', 1, 1.5, true, null, {}].map(pythonTypeName)).to.deep.equal(['list', 'str', 'int', 'float', 'bool', 'NoneType', 'dict']);
  });
});

describe('serializer fields: parseFields', () => {
  const fields = [{ name: 'username' }, { name: 'password', password: true }];

  it('returns the parsed values and ignores unknown keys', () => {
    const values = parseFields({ username: ' alice ', password: 'pw', is_admin: true }, fields);
    expect({ ...values }).to.deep.equal({ username: 'alice', password: 'pw' });
  });

  it('reports every failing field, in field order', () => {
    const body = fieldErrors(() => parseFields({ password: [], extra: 1 }, fields));
    expect(body).to.deep.equal({ username: ['This field is required.'], password: ['Not a valid string.'] });
    expect(Object.keys(body)).to.deep.equal(['username', 'password']);
  });

  it('refuses a body that is not a dictionary', () => {
    expect(fieldErrors(() => parseFields([], fields))).to.deep.equal({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    expect(fieldErrors(() => parseFields('x', fields))).to.deep.equal({ non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] });
    expect(fieldErrors(() => parseFields(3, fields))).to.deep.equal({ non_field_errors: ['Invalid data. Expected a dictionary, but got int.'] });
    expect(fieldErrors(() => parseFields(true, fields))).to.deep.equal({ non_field_errors: ['Invalid data. Expected a dictionary, but got bool.'] });
    expect(fieldErrors(() => parseFields(null, fields))).to.deep.equal({ non_field_errors: ['No data provided'] });
  });

  it('reads own keys only: nothing comes from the prototype chain', () => {
    const data = JSON.parse('{"__proto__": {"username": "alice", "password": "pw"}}') as unknown;
    expect(fieldErrors(() => parseFields(data, fields))).to.deep.equal({ username: ['This field is required.'], password: ['This field is required.'] });
    expect(fieldErrors(() => parseFields(Object.create({ username: 'a', password: 'b' }), fields))).to.have.keys('username', 'password');
  });

  it('never puts a submitted value in the error', () => {
    const err = (() => {
      try {
        parseFields({ username: 'alice', password: 'se\u0000cret' }, fields);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('expected an error');
    })();
    expect(JSON.stringify(err.toJSON()) + err.message).not.to.include('cret');
  });
});
