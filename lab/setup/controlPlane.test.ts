// The sim cluster builder's wrapper modules: which replaces it writes, read from the target's own
// go.mod (k8s.io/kubernetes's staging modules, etcd's siblings, nothing else), and the names Go
// gives the binaries it renames.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultExecName, SIM_BUILDS, siblingReplaces, toolsGo, wrapperGoMod } from './controlPlane.ts';

const KUBERNETES_GO_MOD = `module k8s.io/kubernetes

go 1.26.0

godebug default=go1.26

require (
	github.com/spf13/cobra v1.10.2
	k8s.io/api v0.0.0
	k8s.io/kubectl v0.0.0 // indirect
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/kubectl => ./staging/src/k8s.io/kubectl // a comment
	github.com/example/forked v1.0.0 => github.com/example/fork v1.0.1
)
`;

const ETCD_GO_MOD = `module go.etcd.io/etcd/server/v3

go 1.26.0

toolchain go1.26.10

replace (
	go.etcd.io/etcd/api/v3 => ../api
	go.etcd.io/etcd/client/v3 => ../client/v3
)

replace go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY
replace go.etcd.io/etcd/pkg/v3 => ../pkg
`;

test('kubernetes: every ./staging/ module is replaced by its published version, nothing else', () => {
  assert.deepEqual(siblingReplaces(KUBERNETES_GO_MOD, './staging/', 'v0.36.1'), [
    'k8s.io/api => k8s.io/api v0.36.1',
    'k8s.io/kubectl => k8s.io/kubectl v0.36.1',
  ]);
});

test('etcd: block and single-line replaces into ../, never the FORBIDDEN_DEPENDENCY guard', () => {
  assert.deepEqual(siblingReplaces(ETCD_GO_MOD, '../', 'v3.6.16'), [
    'go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 v3.6.16',
    'go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 v3.6.16',
    'go.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 v3.6.16',
  ]);
});

test('the wrapper go.mod requires the pin, takes the go line, carries the replaces and no toolchain line', () => {
  const etcd = SIM_BUILDS.find((b) => b.name === 'etcd')!;
  const goMod = wrapperGoMod(etcd, ETCD_GO_MOD);
  assert.match(goMod, /^module perflab\.local\/sim-etcd$/m);
  assert.match(goMod, /^go 1\.26\.0$/m);
  assert.match(goMod, new RegExp(`^require go\\.etcd\\.io/etcd/server/v3 ${etcd.version}$`, 'm'));
  assert.match(goMod, /^\tgo\.etcd\.io\/etcd\/pkg\/v3 => go\.etcd\.io\/etcd\/pkg\/v3 v3\.6\.\d+$/m);
  assert.doesNotMatch(goMod, /toolchain|FORBIDDEN/);
  const kwok = SIM_BUILDS.find((b) => b.name === 'kwok')!;
  assert.doesNotMatch(wrapperGoMod(kwok, 'module sigs.k8s.io/kwok\n\ngo 1.24.0\n'), /replace/);
});

test('tools.go imports what is built, behind a build tag, so go mod tidy keeps it and go build skips it', () => {
  assert.equal(toolsGo(['a.example/cmd/x', 'b.example/v3']), '//go:build tools\n\npackage tools\n\nimport (\n\t_ "a.example/cmd/x"\n\t_ "b.example/v3"\n)\n');
});

test('binary names as go build -o dir/ gives them', () => {
  assert.equal(defaultExecName('go.etcd.io/etcd/server/v3'), 'server');
  assert.equal(defaultExecName('k8s.io/kubernetes/cmd/kube-apiserver'), 'kube-apiserver');
  assert.equal(defaultExecName('sigs.k8s.io/kwok/cmd/kwok'), 'kwok');
});

test('the kubernetes build links the version in (else /version says v0.0.0-master)', () => {
  const k8s = SIM_BUILDS.find((b) => b.name === 'kubernetes')!;
  assert.match(k8s.ldflags ?? '', /version\.gitVersion=v1\.36\.1 .*gitMajor=1 .*gitMinor=36$/);
});
