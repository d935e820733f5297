<?php
// Session handlers that store and lock sessions exactly as CodeIgniter 3.1
// and 4 do, for the tests of package codeigniter: the files handler here,
// the database handlers in database.php, the Redis handler in redis.php.
// CodeIgniter itself is not installed where the tests run; these classes
// follow its handlers' storage formats, key and file names, columns and
// locks.

declare(strict_types=1);

// BaseHandler holds what every layout shares: the configuration, the
// fingerprint of what was read (to skip writing unchanged data) and the id
// the request read (a write under another id follows session_regenerate_id()).
abstract class BaseHandler implements SessionHandlerInterface, SessionUpdateTimestampHandlerInterface
{
    protected array $cfg;
    protected ?string $fingerprint = null;
    protected ?string $sessionID = null;

    public function __construct(array $cfg)
    {
        $this->cfg = $cfg;
    }

    protected function v4(): bool
    {
        return $this->cfg['version'] === 4;
    }

    protected function ip(): string
    {
        return $this->cfg['ip'];
    }

    protected function matchIP(): bool
    {
        return (bool) $this->cfg['match_ip'];
    }

    public function updateTimestamp(string $id, string $data): bool
    {
        // PHP calls this instead of write() when the data did not change
        // (session.lazy_write): CodeIgniter's write() then only refreshes
        // the expiry, which write() does for an unchanged fingerprint.
        return $this->write($id, $data);
    }
}

// FilesHandler: <save_path>/<cookie name>[md5(ip)]<id>, mode 0600, locked
// with flock(LOCK_EX) from read() to close().
final class FilesHandler extends BaseHandler
{
    private string $prefix = '';
    /** @var resource|null */
    private $fh = null;
    private bool $isNew = false;

    public function open(string $path, string $name): bool
    {
        if (!is_dir($path) && !mkdir($path, 0700, true)) {
            throw new RuntimeException("cannot create $path");
        }
        $this->prefix = rtrim($path, '/') . '/' . $name . ($this->matchIP() ? md5($this->ip()) : '');
        return true;
    }

    public function validateId(string $id): bool
    {
        clearstatcache(true, $this->prefix . $id);
        return is_file($this->prefix . $id);
    }

    public function read(string $id): string|false
    {
        $file = $this->prefix . $id;
        if ($this->fh === null) {
            $this->isNew = !is_file($file);
            $fh = fopen($file, 'c+b');
            if ($fh === false || !flock($fh, LOCK_EX)) {
                return false;
            }
            $this->fh = $fh;
            $this->sessionID = $id;
            if ($this->isNew) {
                chmod($file, 0600);
                $this->fingerprint = md5('');
                return '';
            }
        } else {
            rewind($this->fh);
        }
        clearstatcache(true, $file);
        $size = filesize($file);
        $data = $size > 0 ? (string) fread($this->fh, $size) : '';
        $this->fingerprint = md5($data);
        return $data;
    }

    public function write(string $id, string $data): bool
    {
        if ($id !== $this->sessionID && (!$this->close() || $this->read($id) === false)) {
            return false;
        }
        if (!is_resource($this->fh)) {
            return false;
        }
        if ($this->fingerprint === md5($data)) {
            return $this->isNew || touch($this->prefix . $id);
        }
        if (!$this->isNew) {
            ftruncate($this->fh, 0);
            rewind($this->fh);
        }
        if ($data !== '' && fwrite($this->fh, $data) !== strlen($data)) {
            return false;
        }
        fflush($this->fh);
        $this->fingerprint = md5($data);
        return true;
    }

    public function close(): bool
    {
        if (is_resource($this->fh)) {
            flock($this->fh, LOCK_UN);
            fclose($this->fh);
        }
        $this->fh = null;
        $this->isNew = false;
        $this->sessionID = null;
        return true;
    }

    public function destroy(string $id): bool
    {
        $this->close();
        clearstatcache(true, $this->prefix . $id);
        return !is_file($this->prefix . $id) || unlink($this->prefix . $id);
    }

    public function gc(int $max): int|false
    {
        $dir = dirname($this->prefix);
        $idRegex = $this->v4() ? '[0-9a-f]{32}' : $this->cfg['sid_regex'];
        $pattern = '#\A' . preg_quote($this->cfg['cookie_name'], '#') . ($this->matchIP() ? '[0-9a-f]{32}' : '') . $idRegex . '\z#';
        $limit = time() - $max;
        $n = 0;
        foreach (scandir($dir) as $file) {
            $path = $dir . '/' . $file;
            if (preg_match($pattern, $file) !== 1 || !is_file($path) || filemtime($path) > $limit) {
                continue;
            }
            unlink($path);
            $n++;
        }
        return $n;
    }
}
