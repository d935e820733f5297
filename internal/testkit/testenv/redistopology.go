package testenv

import (
	"context"
	_ "embed" // the topology script
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The environment variables of the Redis topologies, which
// redis-topologies.sh up starts for CI:
//
//	SESSION_TEST_REDIS_CLUSTER_ADDRS    127.0.0.1:7001,127.0.0.1:7002,...,127.0.0.1:7006
//	SESSION_TEST_REDIS_SENTINEL_ADDRS   127.0.0.1:7111,127.0.0.1:7112,127.0.0.1:7113
//	SESSION_TEST_REDIS_SENTINEL_MASTER  mymaster
const (
	RedisClusterVar        = "SESSION_TEST_REDIS_CLUSTER_ADDRS"
	RedisSentinelVar       = "SESSION_TEST_REDIS_SENTINEL_ADDRS"
	RedisSentinelMasterVar = "SESSION_TEST_REDIS_SENTINEL_MASTER"
)

// TopologyScript is redis-topologies.sh, which starts the topologies: run
// it with bash (see its header for its commands).
//
//go:embed redis-topologies.sh
var TopologyScript string

// RedisTopology is a Redis Cluster or a Sentinel group.
type RedisTopology struct {
	// Addrs is what a client is given: the cluster's nodes, or the
	// sentinels.
	Addrs []string
	// MasterName is the name the sentinels know the master by; "" for a
	// cluster.
	MasterName string
	// Nodes are the data nodes of a topology the test started (see
	// StartRedisCluster and StartRedisSentinel): the cluster's nodes, or
	// the master then its replica. Nil for the shared topologies.
	Nodes []string
}

// RedisCluster returns the Redis Cluster SESSION_TEST_REDIS_CLUSTER_ADDRS
// names (host:port of its nodes, separated by commas).
func RedisCluster(t testing.TB) RedisTopology {
	t.Helper()
	return RedisTopology{Addrs: addrList(t, RedisClusterVar, lookup(t, RedisClusterVar))}
}

// RedisSentinel returns the Sentinel group SESSION_TEST_REDIS_SENTINEL_ADDRS
// names (host:port of its sentinels, separated by commas), watching the
// master SESSION_TEST_REDIS_SENTINEL_MASTER names.
func RedisSentinel(t testing.TB) RedisTopology {
	t.Helper()
	addrs := addrList(t, RedisSentinelVar, lookup(t, RedisSentinelVar))
	name := os.Getenv(RedisSentinelMasterVar)
	if name == "" {
		t.Fatalf("testenv: %s is set, but %s, the master's name, is not", RedisSentinelVar, RedisSentinelMasterVar)
	}
	return RedisTopology{Addrs: addrs, MasterName: name}
}

// addrList splits a comma-separated list of host:port and checks that
// each answers.
func addrList(t testing.TB, name, list string) []string {
	t.Helper()
	var addrs []string
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		if _, _, err := net.SplitHostPort(a); err != nil {
			t.Fatalf("testenv: %s=%q: %q is not host:port: %v", name, list, a, err)
		}
		reach(t, name, a)
		addrs = append(addrs, a)
	}
	return addrs
}

// StartRedisCluster starts a Redis Cluster of the test's own, three masters
// and three replicas on free loopback ports, with cluster-node-timeout
// failAfter, and stops it when the test ends: for a test that takes nodes
// down. It runs where the shared cluster's tests run (RedisClusterVar is
// set), and needs redis-server and redis-cli in PATH.
func StartRedisCluster(t testing.TB, failAfter time.Duration) RedisTopology {
	t.Helper()
	lookup(t, RedisClusterVar)
	var nodes []string
	startTopology(t, failAfter, 12, func(ports []int) []string { // six nodes, six cluster bus ports
		args := []string{"cluster"}
		nodes = nil
		for i := 0; i < 6; i++ {
			args = append(args, fmt.Sprintf("%d:%d", ports[i], ports[6+i]))
			nodes = append(nodes, "127.0.0.1:"+strconv.Itoa(ports[i]))
		}
		return args
	})
	return RedisTopology{Addrs: nodes, Nodes: nodes}
}

// StartRedisSentinel starts a Sentinel group of the test's own, a master,
// a replica and three sentinels (quorum two, master name "mymaster") on
// free loopback ports, with down-after-milliseconds failAfter, and stops it
// when the test ends: for a test that takes the master down. It runs where
// the shared group's tests run (RedisSentinelVar is set), and needs
// redis-server and redis-cli in PATH.
func StartRedisSentinel(t testing.TB, failAfter time.Duration) RedisTopology {
	t.Helper()
	lookup(t, RedisSentinelVar)
	var addrs []string
	startTopology(t, failAfter, 5, func(ports []int) []string {
		args := []string{"sentinel", "mymaster"}
		addrs = nil
		for _, p := range ports {
			args = append(args, strconv.Itoa(p))
			addrs = append(addrs, "127.0.0.1:"+strconv.Itoa(p))
		}
		return args
	})
	return RedisTopology{Addrs: addrs[2:], MasterName: "mymaster", Nodes: addrs[:2]}
}

// startTopology runs the script with the command args returns for n free
// ports, in a temporary directory, and stops the servers it started when
// the test ends. A port taken in the meantime fails the start, which is
// tried again on other ports, three times at most.
func startTopology(t testing.TB, failAfter time.Duration, n int, args func(ports []int) []string) {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli", "bash"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("testenv: a Redis topology of the test's own needs %s: %v", bin, err)
		}
	}
	var failures []string
	for attempt := 0; attempt < 3; attempt++ {
		dir := t.TempDir()
		t.Cleanup(func() {
			if out, err := runScript(0, "down", dir); err != nil {
				t.Errorf("testenv: stop the topology in %s: %v\n%s", dir, err, out)
			}
		})
		a := args(freePorts(t, n))
		a = append([]string{a[0], dir}, a[1:]...)
		out, err := runScript(failAfter, a...)
		if err == nil {
			return
		}
		failures = append(failures, fmt.Sprintf("%v\n%s%s", err, out, logTails(dir)))
		if out, err := runScript(0, "down", dir); err != nil {
			t.Fatalf("testenv: stop the topology in %s: %v\n%s", dir, err, out)
		}
	}
	t.Fatalf("testenv: start a Redis topology, three times:\n%s", strings.Join(failures, "\n"))
}

// runScript runs the topology script with args, within two minutes, on
// ports the caller chose free (REDIS_FRESH: a port that already answers is
// an error). failAfter, when positive, sets its timings.
func runScript(failAfter time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{"-s", "--"}, args...)...)
	cmd.Stdin = strings.NewReader(TopologyScript)
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(os.Environ(), "REDIS_FRESH=1")
	if failAfter > 0 {
		ms := strconv.FormatInt(failAfter.Milliseconds(), 10)
		cmd.Env = append(cmd.Env, "REDIS_NODE_TIMEOUT="+ms, "REDIS_DOWN_AFTER="+ms)
	}
	return cmd.CombinedOutput()
}

// The ports of the test's own topologies: below Linux's ephemeral ports
// (32768-60999), so that no outgoing connection takes one between the
// moment it is found free and the moment a server listens on it.
const (
	portLow  = 20000
	portHigh = 32000
)

// freePorts returns n loopback TCP ports from [portLow, portHigh) that
// were free a moment ago.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	for tries := 0; len(ports) < n && tries < 1000; tries++ {
		p := portLow + rand.IntN(portHigh-portLow)
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue // taken
		}
		defer ln.Close() // held until all are chosen, so that none repeats
		ports = append(ports, p)
	}
	if len(ports) < n {
		t.Fatalf("testenv: found %d free ports from %d to %d, want %d", len(ports), portLow, portHigh-1, n)
	}
	return ports
}

// logTails returns the end of each server's log under dir.
func logTails(dir string) string {
	logs, _ := filepath.Glob(filepath.Join(dir, "*", "redis.log"))
	var b strings.Builder
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		fmt.Fprintf(&b, "--- %s\n%s\n", l, data[max(0, len(data)-2000):])
	}
	return b.String()
}
