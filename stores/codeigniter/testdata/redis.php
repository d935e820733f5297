<?php
// The session handler on Redis, stored and locked as CodeIgniter 3.1 and 4 store and lock them, for
// the tests of package codeigniter (see handlers.php).

declare(strict_types=1);

// RedisHandler: the key <prefix>[<ip>:]<id>, expiring after the expiration,
// and the lock key <that key>:lock, as each version takes it: CodeIgniter 3
// asks the lock's TTL and retries every second (30 times), CodeIgniter 4
// tries SET NX EX 300 every lock_wait microseconds (300 times).
final class RedisHandler extends BaseHandler
{
    private ?Redis $redis = null;
    private string $prefix = '';
    private ?string $lockKey = null;
    private bool $keyExists = false;

    public function open(string $path, string $name): bool
    {
        if ($this->redis === null) {
            $c = $this->cfg['redis'];
            $r = new Redis();
            $r->connect($c['host'], (int) $c['port']);
            $this->redis = $r;
            $this->prefix = $c['prefix'] . ($this->matchIP() ? $this->ip() . ':' : '');
        }
        return true;
    }

    private function getLock(string $id): bool
    {
        $key = $this->prefix . $id . ':lock';
        if ($this->lockKey === $key) {
            return (bool) $this->redis->expire($key, 300);
        }
        if ($this->v4()) {
            for ($attempt = 0; $attempt < 300; $attempt++) {
                if ($this->redis->set($key, (string) time(), ['nx', 'ex' => 300])) {
                    $this->lockKey = $key;
                    return true;
                }
                usleep((int) $this->cfg['lock_wait_us']);
            }
            return false;
        }
        for ($attempt = 0; $attempt < 30; $attempt++) {
            $ttl = (int) $this->redis->ttl($key);
            if ($ttl > 0) {
                sleep(1);
                continue;
            }
            if ($ttl === -2 && !$this->redis->set($key, (string) time(), ['nx', 'ex' => 300])) {
                sleep(1);
                continue;
            }
            if ($ttl !== -2 && !$this->redis->setex($key, 300, (string) time())) {
                return false;
            }
            $this->lockKey = $key;
            return true;
        }
        return false;
    }

    private function releaseLock(): bool
    {
        if ($this->lockKey !== null) {
            $this->redis->del($this->lockKey);
            $this->lockKey = null;
        }
        return true;
    }

    public function validateId(string $id): bool
    {
        return (bool) $this->redis->exists($this->prefix . $id);
    }

    public function read(string $id): string|false
    {
        if (!$this->getLock($id)) {
            return false;
        }
        $this->sessionID = $id;
        $data = $this->redis->get($this->prefix . $id);
        $this->keyExists = is_string($data);
        $data = is_string($data) ? $data : '';
        $this->fingerprint = md5($data);
        return $data;
    }

    public function write(string $id, string $data): bool
    {
        if ($id !== $this->sessionID) {
            if (!$this->releaseLock() || !$this->getLock($id)) {
                return false;
            }
            $this->keyExists = false;
            $this->sessionID = $id;
        }
        if ($this->lockKey === null) {
            return false;
        }
        $this->redis->expire($this->lockKey, 300);
        $exp = (int) $this->cfg['expiration'];
        if ($this->fingerprint !== md5($data) || !$this->keyExists) {
            $this->redis->set($this->prefix . $id, $data, $exp);
            $this->fingerprint = md5($data);
            $this->keyExists = true;
            return true;
        }
        return (bool) $this->redis->expire($this->prefix . $id, $exp);
    }

    public function close(): bool
    {
        return $this->releaseLock();
    }

    public function destroy(string $id): bool
    {
        if ($this->lockKey !== null) {
            $this->redis->del($this->prefix . $id);
        }
        return true;
    }

    public function gc(int $max): int|false
    {
        return 0; // Redis expires keys itself
    }
}
