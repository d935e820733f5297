<?php
// Session handlers on MySQL/MariaDB and PostgreSQL, stored and locked as CodeIgniter 3.1 and 4 store and lock them, for
// the tests of package codeigniter (see handlers.php).

declare(strict_types=1);

// MySQLHandler: the ci_sessions table on MySQL/MariaDB through mysqli,
// locked with GET_LOCK(md5(id[_ip]), 300).
final class MySQLHandler extends BaseHandler
{
    private ?mysqli $db = null;
    private string|false $lock = false;
    private bool $rowExists = false;

    private function table(): string
    {
        return '`' . $this->cfg['save_path'] . '`';
    }

    private function rowID(string $id): string
    {
        return $this->v4() ? $this->cfg['cookie_name'] . ':' . $id : $id;
    }

    /** @return array{string, list<string>} the WHERE clause selecting $id's row, and its arguments */
    private function where(string $id): array
    {
        return $this->matchIP()
            ? ['`id` = ? AND `ip_address` = ?', [$this->rowID($id), $this->ip()]]
            : ['`id` = ?', [$this->rowID($id)]];
    }

    public function open(string $path, string $name): bool
    {
        if ($this->db === null) {
            $c = $this->cfg['mysql'];
            mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
            $this->db = new mysqli($c['host'], $c['user'], $c['password'], $c['database'], (int) $c['port']);
        }
        return true;
    }

    private function getLock(string $id): bool
    {
        $arg = md5($id . ($this->matchIP() ? '_' . $this->ip() : ''));
        $row = $this->db->execute_query('SELECT GET_LOCK(?, 300) AS ci_session_lock', [$arg])->fetch_assoc();
        if ((int) $row['ci_session_lock'] !== 1) {
            return false;
        }
        $this->lock = $arg;
        return true;
    }

    private function releaseLock(): bool
    {
        if ($this->lock === false) {
            return true;
        }
        $row = $this->db->execute_query('SELECT RELEASE_LOCK(?) AS ci_session_lock', [$this->lock])->fetch_assoc();
        $this->lock = false;
        return (int) $row['ci_session_lock'] === 1;
    }

    public function validateId(string $id): bool
    {
        [$where, $args] = $this->where($id);
        return $this->db->execute_query("SELECT 1 FROM {$this->table()} WHERE $where", $args)->num_rows > 0;
    }

    public function read(string $id): string|false
    {
        if (!$this->getLock($id)) {
            return false;
        }
        $this->sessionID = $id;
        [$where, $args] = $this->where($id);
        $row = $this->db->execute_query("SELECT `data` FROM {$this->table()} WHERE $where", $args)->fetch_assoc();
        if ($row === null) {
            $this->rowExists = false;
            $this->fingerprint = md5('');
            return '';
        }
        $this->rowExists = true;
        $this->fingerprint = md5($row['data']);
        return $row['data'];
    }

    public function write(string $id, string $data): bool
    {
        if ($id !== $this->sessionID) {
            if (!$this->releaseLock() || !$this->getLock($id)) {
                return false;
            }
            $this->rowExists = false;
            $this->sessionID = $id;
        } elseif ($this->lock === false) {
            return false;
        }
        $now = $this->v4() ? 'now()' : (string) time();
        if (!$this->rowExists) {
            $this->db->execute_query(
                "INSERT INTO {$this->table()} (`id`, `ip_address`, `timestamp`, `data`) VALUES (?, ?, $now, ?)",
                [$this->rowID($id), $this->ip(), $data]
            );
            $this->rowExists = true;
        } else {
            [$where, $args] = $this->where($id);
            if ($this->fingerprint !== md5($data)) {
                $this->db->execute_query("UPDATE {$this->table()} SET `timestamp` = $now, `data` = ? WHERE $where", array_merge([$data], $args));
            } else {
                $this->db->execute_query("UPDATE {$this->table()} SET `timestamp` = $now WHERE $where", $args);
            }
        }
        $this->fingerprint = md5($data);
        return true;
    }

    public function close(): bool
    {
        return $this->releaseLock();
    }

    public function destroy(string $id): bool
    {
        if ($this->lock !== false) {
            [$where, $args] = $this->where($id);
            $this->db->execute_query("DELETE FROM {$this->table()} WHERE $where", $args);
        }
        return $this->close();
    }

    public function gc(int $max): int|false
    {
        $cond = $this->v4() ? "`timestamp` < now() - INTERVAL $max SECOND" : '`timestamp` < ' . (time() - $max);
        $this->db->query("DELETE FROM {$this->table()} WHERE $cond");
        return $this->db->affected_rows;
    }
}

// PostgresHandler: the ci_sessions table on PostgreSQL through ext/pgsql,
// locked with pg_advisory_lock(hashtext(id)[, hashtext(ip)]). CodeIgniter 3
// keeps base64 in a text column, CodeIgniter 4 bytes in a bytea column.
final class PostgresHandler extends BaseHandler
{
    /** @var PgSql\Connection|null */
    private $db = null;
    private string|false $lock = false;
    private array $lockArgs = [];
    private bool $rowExists = false;

    private function table(): string
    {
        return '"' . $this->cfg['save_path'] . '"';
    }

    private function rowID(string $id): string
    {
        return $this->v4() ? $this->cfg['cookie_name'] . ':' . $id : $id;
    }

    /** @return array{string, list<string>} */
    private function where(string $id, int $first = 1): array
    {
        $ip = $this->v4() ? '$' . ($first + 1) . '::inet' : '$' . ($first + 1);
        return $this->matchIP()
            ? ['"id" = $' . $first . ' AND "ip_address" = ' . $ip, [$this->rowID($id), $this->ip()]]
            : ['"id" = $' . $first, [$this->rowID($id)]];
    }

    private function q(string $sql, array $args): PgSql\Result
    {
        $r = pg_query_params($this->db, $sql, $args);
        if ($r === false) {
            throw new RuntimeException(pg_last_error($this->db));
        }
        return $r;
    }

    public function open(string $path, string $name): bool
    {
        if ($this->db === null) {
            $db = pg_connect($this->cfg['postgres']['conninfo'], PGSQL_CONNECT_FORCE_NEW);
            if ($db === false) {
                throw new RuntimeException('pg_connect failed');
            }
            $this->db = $db;
        }
        return true;
    }

    private function getLock(string $id): bool
    {
        if ($this->matchIP()) {
            $this->lock = 'hashtext($1), hashtext($2)';
            $this->lockArgs = [$id, $this->ip()];
        } else {
            $this->lock = 'hashtext($1)';
            $this->lockArgs = [$id];
        }
        $this->q("SELECT pg_advisory_lock({$this->lock})", $this->lockArgs);
        return true;
    }

    private function releaseLock(): bool
    {
        if ($this->lock === false) {
            return true;
        }
        $this->q("SELECT pg_advisory_unlock({$this->lock})", $this->lockArgs);
        $this->lock = false;
        return true;
    }

    private function decode(string $column): string
    {
        return (string) base64_decode(rtrim($column), $this->v4());
    }

    private function encode(string $data): string
    {
        return $this->v4() ? '\x' . bin2hex($data) : base64_encode($data);
    }

    public function validateId(string $id): bool
    {
        [$where, $args] = $this->where($id);
        return pg_num_rows($this->q("SELECT 1 FROM {$this->table()} WHERE $where", $args)) > 0;
    }

    public function read(string $id): string|false
    {
        $this->getLock($id);
        $this->sessionID = $id;
        [$where, $args] = $this->where($id);
        $select = $this->v4() ? "encode(\"data\", 'base64') AS data" : '"data"';
        $row = pg_fetch_assoc($this->q("SELECT $select FROM {$this->table()} WHERE $where", $args));
        if ($row === false) {
            $this->rowExists = false;
            $this->fingerprint = md5('');
            return '';
        }
        $data = $this->decode($row['data']);
        $this->rowExists = true;
        $this->fingerprint = md5($data);
        return $data;
    }

    public function write(string $id, string $data): bool
    {
        if ($id !== $this->sessionID) {
            $this->releaseLock();
            $this->getLock($id);
            $this->rowExists = false;
            $this->sessionID = $id;
        } elseif ($this->lock === false) {
            return false;
        }
        $now = $this->v4() ? 'now()' : (string) time();
        $ip = $this->v4() ? '$2::inet' : '$2';
        if (!$this->rowExists) {
            $this->q(
                "INSERT INTO {$this->table()} (\"id\", \"ip_address\", \"timestamp\", \"data\") VALUES (\$1, $ip, $now, \$3)",
                [$this->rowID($id), $this->ip(), $this->encode($data)]
            );
            $this->rowExists = true;
        } elseif ($this->fingerprint !== md5($data)) {
            [$where, $args] = $this->where($id, 2);
            $this->q("UPDATE {$this->table()} SET \"timestamp\" = $now, \"data\" = \$1 WHERE $where", array_merge([$this->encode($data)], $args));
        } else {
            [$where, $args] = $this->where($id);
            $this->q("UPDATE {$this->table()} SET \"timestamp\" = $now WHERE $where", $args);
        }
        $this->fingerprint = md5($data);
        return true;
    }

    public function close(): bool
    {
        return $this->releaseLock();
    }

    public function destroy(string $id): bool
    {
        if ($this->lock !== false) {
            [$where, $args] = $this->where($id);
            $this->q("DELETE FROM {$this->table()} WHERE $where", $args);
        }
        return $this->close();
    }

    public function gc(int $max): int|false
    {
        $cond = $this->v4() ? "\"timestamp\" < now() - INTERVAL '$max second'" : '"timestamp" < ' . (time() - $max);
        return pg_affected_rows($this->q("DELETE FROM {$this->table()} WHERE $cond", []));
    }
}
