// Tests of the solc wrapper: run with `node --test tools/solc/` (part of `make test`).
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const wrapper = path.join(__dirname, 'solc');

function run(args, stdin) {
  return spawnSync(wrapper, args, { input: stdin, encoding: 'utf8' });
}

function standardInput(sources) {
  return JSON.stringify({
    language: 'Solidity',
    sources,
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['evm.bytecode.object', 'abi'] } } },
  });
}

test('--version prints the two lines forge parses, with a native platform', () => {
  const out = run(['--version']);
  assert.equal(out.status, 0);
  const [banner, version] = out.stdout.trim().split('\n');
  assert.equal(banner, 'solc, the solidity compiler commandline interface');
  assert.match(version, /^Version: 0\.8\.\d+\+commit\.[0-9a-f]{8}\.Linux\.g\+\+$/);
});

test('--standard-json compiles inline sources to bytecode and ABI', () => {
  const src = 'pragma solidity ^0.8.0; contract Adder { function add(uint a, uint b) external pure returns (uint) { return a + b; } }';
  const out = run(['--standard-json'], standardInput({ 'Adder.sol': { content: src } }));
  assert.equal(out.status, 0, out.stderr);
  const json = JSON.parse(out.stdout);
  assert.equal((json.errors || []).filter((e) => e.severity === 'error').length, 0);
  const adder = json.contracts['Adder.sol'].Adder;
  assert.match(adder.evm.bytecode.object, /^[0-9a-f]{100,}$/);
  assert.equal(adder.abi[0].name, 'add');
});

test('a compile error comes back as an error entry, not a crash', () => {
  const out = run(['--standard-json'], standardInput({ 'Bad.sol': { content: 'pragma solidity ^0.8.0; contract Bad { function f() { x; } }' } }));
  assert.equal(out.status, 0);
  const errors = JSON.parse(out.stdout).errors.filter((e) => e.severity === 'error');
  assert.ok(errors.length > 0);
});

test('imports not sent inline resolve under --base-path, and nowhere else', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'solc-wrapper-'));
  fs.writeFileSync(path.join(base, 'Lib.sol'), 'pragma solidity ^0.8.0; library Lib { function one() internal pure returns (uint) { return 1; } }');
  const main = 'pragma solidity ^0.8.0; import "Lib.sol"; contract UsesLib { function f() external pure returns (uint) { return Lib.one(); } }';
  const ok = run(['--base-path', base, '--allow-paths', base, '--standard-json'], standardInput({ 'Main.sol': { content: main } }));
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).errors?.filter((e) => e.severity === 'error').length ?? 0, 0);

  const escaping = 'pragma solidity ^0.8.0; import "../../etc/passwd.sol"; contract X {}';
  const refused = JSON.parse(run(['--base-path', base, '--standard-json'], standardInput({ 'X.sol': { content: escaping } })).stdout);
  assert.ok(refused.errors.some((e) => e.severity === 'error' && /not found/i.test(e.message)));
  fs.rmSync(base, { recursive: true, force: true });
});

test('unknown flags and missing input fail loudly with exit code 2', () => {
  const bogus = run(['--optimize']);
  assert.equal(bogus.status, 2);
  assert.match(bogus.stderr, /unsupported argument '--optimize'/);
  assert.equal(run([]).status, 2);
  assert.equal(run(['--standard-json'], '').status, 2);
});
