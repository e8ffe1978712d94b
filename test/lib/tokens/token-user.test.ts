import { expect } from 'chai';
import { TokenUser } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

function userOf(claims: Record<string, unknown>, userIdClaim?: string): TokenUser {
  const { sj } = makeSJ();
  const token = new sj.AccessToken();
  for (const [k, v] of Object.entries(claims)) token.set(k, v);
  return new TokenUser(token, userIdClaim);
}

describe('TokenUser (SPEC 4)', () => {
  it('id and pk are the user id claim as a string', () => {
    const user = userOf({ user_id: 7 });
    expect(user.id).to.equal('7');
    expect(user.pk).to.equal('7');
    expect(userOf({ sub: 'abc' }, 'sub').id).to.equal('abc');
  });

  it("username is the claim or ''; isStaff / isSuperuser the claims or false", () => {
    const plain = userOf({ user_id: '1' });
    expect(plain.username).to.equal('');
    expect(plain.isStaff).to.equal(false);
    expect(plain.isSuperuser).to.equal(false);
    const admin = userOf({ user_id: '1', username: 'root', is_staff: true, is_superuser: true });
    expect(admin.username).to.equal('root');
    expect(admin.isStaff).to.equal(true);
    expect(admin.isSuperuser).to.equal(true);
  });

  it('is active, authenticated and not anonymous, with no groups or permissions', () => {
    const user = userOf({ user_id: '1', is_staff: true });
    expect(user.isActive).to.equal(true);
    expect(user.isAuthenticated).to.equal(true);
    expect(user.isAnonymous).to.equal(false);
    expect(user.groups).to.deep.equal([]);
    expect(user.userPermissions).to.deep.equal([]);
    expect(user.hasPerm('app.delete_thing')).to.equal(false);
  });

  it("equals() compares ids; toString() is 'TokenUser <id>'", () => {
    expect(userOf({ user_id: '1' }).equals(userOf({ user_id: 1 }))).to.equal(true);
    expect(userOf({ user_id: '1' }).equals(userOf({ user_id: '2' }))).to.equal(false);
    expect(userOf({ user_id: '1' }).equals({ id: '1' })).to.equal(false);
    expect(String(userOf({ user_id: 'abc' }))).to.equal('TokenUser abc');
  });

  it('save(), delete(), setPassword() and checkPassword() throw', () => {
    const user = userOf({ user_id: '1' });
    expect(() => user.save()).to.throw('TokenUser has no database representation');
    expect(() => user.delete()).to.throw('TokenUser has no database representation');
    expect(() => user.setPassword('x')).to.throw('TokenUser has no database representation');
    expect(() => user.checkPassword('x')).to.throw('TokenUser has no database representation');
  });

  it('any other property reads the claim of that name, undefined if absent', () => {
    const user = userOf({ user_id: '1', email: 'a@example.com', tenant: { id: 3 } });
    expect(user.email).to.equal('a@example.com');
    expect(user.tenant).to.deep.equal({ id: 3 });
    expect(user.nickname).to.equal(undefined);
  });

  it('does not read Object.prototype or a __proto__ claim as user data', () => {
    const user = userOf({ user_id: '1', __proto__: { isStaff: true } });
    expect(user.isStaff).to.equal(false);
    expect(typeof user.toString).to.equal('function');
    expect(({} as Record<string, unknown>).isStaff).to.equal(undefined);
  });

  it('is built from a plain claim object too', () => {
    const user = new TokenUser({ user_id: 5, username: 'eve' });
    expect(user.id).to.equal('5');
    expect(user.username).to.equal('eve');
  });

  it('serialises as its identity, never the token', () => {
    const user = userOf({ user_id: '1', username: 'root', is_staff: true });
    expect(JSON.parse(JSON.stringify(user))).to.deep.equal({ id: '1', username: 'root', isStaff: true, isSuperuser: false });
  });
});
