import { describe, expect, it } from 'vitest';
import { SavedSessions, TerminalResume, withoutTerminalQueries } from './resume';

describe('TerminalResume', () => {
  it('opens a new shell with no session and resumes the same one at the bytes it holds', () => {
    const resume = new TerminalResume();
    expect(resume.query(80, 24).toString()).toBe('cols=80&rows=24');
    resume.onSession('s1', 0);
    resume.onOutput(100);
    resume.onOutput(23);
    expect(resume.query(80, 24).toString()).toBe('cols=80&rows=24&session=s1&offset=123');
  });

  it('keeps counting across a reconnect to the same shell', () => {
    const resume = new TerminalResume();
    resume.onSession('s1', 0);
    resume.onOutput(50);
    resume.onSession('s1', 50); // the server confirms the resume point
    resume.onOutput(10);
    expect(resume.offset).toBe(60);
  });

  it('after a reload starts from 0 so the screen is rebuilt once', () => {
    const resume = new TerminalResume('s1');
    expect(resume.query(100, 30).get('offset')).toBe('0');
    expect(resume.query(100, 30).get('session')).toBe('s1');
  });

  it('knows a replay from live output, and a replay loses its terminal queries only', () => {
    const resume = new TerminalResume('s1');
    resume.onSession('s1', 0, 40);
    expect(resume.replaying).toBe(true);
    resume.onOutput(40);
    expect(resume.replaying).toBe(false);
    const text = '/ # \x1b[6nls\r\n\x1b[1;32mok\x1b[0m \x1b[c\x1b[>0c\x1b[5n é';
    const stripped = withoutTerminalQueries(new TextEncoder().encode(text));
    expect(new TextDecoder().decode(stripped)).toBe('/ # ls\r\n\x1b[1;32mok\x1b[0m  é');
  });

  it('skips over a gap', () => {
    const resume = new TerminalResume('s1');
    resume.onSession('s1', 0);
    resume.onGap(4096);
    resume.onOutput(10);
    expect(resume.offset).toBe(4106);
  });

  it('starts over when the shell is gone', () => {
    const resume = new TerminalResume('s1');
    resume.onOutput(10);
    resume.forget();
    expect(resume.query(80, 24).has('session')).toBe(false);
    resume.onSession('s2', 0);
    expect(resume.offset).toBe(0);
  });
});

describe('SavedSessions', () => {
  it('remembers a lease’s shells in storage and survives garbage', () => {
    const saved = new SavedSessions(window.sessionStorage, 'lease1');
    saved.save(['a', 'b']);
    expect(new SavedSessions(window.sessionStorage, 'lease1').load()).toEqual(['a', 'b']);
    expect(new SavedSessions(window.sessionStorage, 'lease2').load()).toEqual([]);
    window.sessionStorage.setItem('containerlease.terminals.lease1', '{nope');
    expect(saved.load()).toEqual([]);
    saved.save([]);
    expect(window.sessionStorage.getItem('containerlease.terminals.lease1')).toBeNull();
  });
});
