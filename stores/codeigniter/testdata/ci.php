<?php
// One CodeIgniter-like request on a shared session, for the tests of
// package codeigniter.
//
// It reads a JSON request from stdin: the CodeIgniter version and handler
// with its settings, the session cookie the browser sends (as it sends it:
// PHP url-decodes it into $_COOKIE), the client IP,
// CodeIgniter's clock ("now", so that the Go side's fake clock and this
// side agree on regeneration and tempdata), and a list of actions. It
// starts the session as CodeIgniter's Session class does (checks the cookie
// against the id pattern, session_start() with strict mode, the periodic
// regeneration, the flash and temp ageing of the version), runs the
// actions through a small CodeIgniter-style API, closes the session, and
// prints one JSON line: the session id afterwards and what the request saw
// at its start and left at its end, and the cookie PHP sends for that id
// (url-encoded, as the session module and setcookie() encode it). The
// action "signal" prints "LOCKED" on a line of its own first, while the
// session (and its lock) is held; "dump" reports serialize() of an item,
// which shows PHP's types and key order.

declare(strict_types=1);

require __DIR__ . '/handlers.php';
require __DIR__ . '/database.php';
require __DIR__ . '/redis.php';

set_error_handler(static function (int $no, string $msg, string $file, int $line): bool {
    throw new ErrorException($msg, 0, $no, $file, $line);
});

// CISession mirrors the parts of CodeIgniter's Session class that decide
// what is stored: __ci_vars and __ci_last_regenerate.
final class CISession
{
    public function __construct(private array $cfg)
    {
    }

    private function now(): int
    {
        return (int) $this->cfg['now'];
    }

    public function start(SessionHandlerInterface $handler): void
    {
        $c = $this->cfg;
        ini_set('session.serialize_handler', 'php');
        ini_set('session.use_strict_mode', '1');
        ini_set('session.use_cookies', '0');
        ini_set('session.use_only_cookies', '1');
        ini_set('session.use_trans_sid', '0');
        ini_set('session.cache_limiter', '');
        ini_set('session.lazy_write', '1');
        ini_set('session.gc_probability', '0');
        ini_set('session.gc_maxlifetime', (string) $c['expiration']);
        ini_set('session.sid_length', (string) $c['sid_length']);
        ini_set('session.sid_bits_per_character', (string) $c['sid_bits']);
        session_name($c['cookie_name']);
        session_save_path((string) ($c['save_path'] ?? ''));
        session_set_save_handler($handler, false);

        // $_COOKIE holds the value url-decoded; CodeIgniter drops a cookie
        // that is not an id of its form.
        $cookie = urldecode((string) $c['cookie']);
        if ($cookie !== '' && preg_match('#\A' . $c['sid_regex'] . '\z#', $cookie) === 1) {
            session_id($cookie);
        }
        session_start();

        $ttu = (int) $c['time_to_update'];
        if ($ttu > 0) {
            if (!isset($_SESSION['__ci_last_regenerate'])) {
                $_SESSION['__ci_last_regenerate'] = $this->now();
            } elseif ($_SESSION['__ci_last_regenerate'] < $this->now() - $ttu) {
                $this->regenerate((bool) $c['regenerate_destroy']);
            }
        }
        $this->initVars();
    }

    // initVars ages flash and temp data at the start of a request, in the
    // version's own words: CodeIgniter 3.1.12 and later, and 4, test 'old'
    // itself; 3.1.11 and earlier ("ci3_legacy_flash") rely on 'old' <
    // time() being true, which it is not on PHP 8.
    private function initVars(): void
    {
        if (empty($_SESSION['__ci_vars'])) {
            if (isset($_SESSION['__ci_vars']) && $this->cfg['version'] === 4) {
                unset($_SESSION['__ci_vars']);
            }
            return;
        }
        $now = $this->now();
        foreach ($_SESSION['__ci_vars'] as $key => $value) {
            if ($value === 'new') {
                $_SESSION['__ci_vars'][$key] = 'old';
            } elseif ($this->cfg['version'] === 3 && $this->cfg['ci3_legacy_flash'] ? $value < $now : ($value === 'old' || $value < $now)) {
                unset($_SESSION[$key], $_SESSION['__ci_vars'][$key]);
            }
        }
        if (empty($_SESSION['__ci_vars'])) {
            unset($_SESSION['__ci_vars']);
        }
    }

    public function regenerate(bool $destroy): void
    {
        $_SESSION['__ci_last_regenerate'] = $this->now();
        session_regenerate_id($destroy);
    }

    public function set(string $key, mixed $value): void
    {
        $_SESSION[$key] = $value;
    }

    public function unset(string $key): void
    {
        unset($_SESSION[$key]);
    }

    public function setFlash(string $key, mixed $value): void
    {
        $_SESSION[$key] = $value;
        $this->markAsFlash($key);
    }

    public function markAsFlash(string $key): void
    {
        if (isset($_SESSION[$key])) {
            $_SESSION['__ci_vars'][$key] = 'new';
        }
    }

    public function setTemp(string $key, mixed $value, int $ttl): void
    {
        $_SESSION[$key] = $value;
        $_SESSION['__ci_vars'][$key] = $this->now() + $ttl;
    }

    // unmarkTemp is CodeIgniter 3's unmark_temp() and 4's
    // unmarkTempdata(): the item stays, as plain userdata.
    public function unmarkTemp(string $key): void
    {
        if (isset($_SESSION['__ci_vars'][$key]) && is_int($_SESSION['__ci_vars'][$key])) {
            unset($_SESSION['__ci_vars'][$key]);
        }
        if (empty($_SESSION['__ci_vars'])) {
            unset($_SESSION['__ci_vars']);
        }
    }

    // unsetTempdata is CodeIgniter 3's unset_tempdata(), which only calls
    // unmark_temp(), and 4's removeTempdata(), which removes the item too.
    public function unsetTempdata(string $key): void
    {
        $this->unmarkTemp($key);
        if ($this->cfg['version'] === 4) {
            unset($_SESSION[$key]);
        }
    }

    /** view returns the session as the application sees it: items, flash and temp data. */
    public static function view(): array
    {
        $vars = $_SESSION['__ci_vars'] ?? [];
        $items = $flash = $temp = [];
        foreach ($_SESSION as $key => $value) {
            if (in_array($key, ['__ci_vars', '__ci_last_regenerate', '__ignitego'], true)) {
                continue;
            }
            $items[$key] = $value;
            if (isset($vars[$key])) {
                if (is_int($vars[$key])) {
                    $temp[$key] = $value;
                } else {
                    $flash[$key] = $value;
                }
            }
        }
        return [
            'items' => (object) $items,
            'flash' => (object) $flash,
            'temp' => (object) $temp,
            'vars' => (object) $vars,
            'last_regenerate' => $_SESSION['__ci_last_regenerate'] ?? null,
        ];
    }
}

function handler(array $cfg): SessionHandlerInterface
{
    return match ($cfg['handler']) {
        'files' => new FilesHandler($cfg),
        'mysql' => new MySQLHandler($cfg),
        'postgres' => new PostgresHandler($cfg),
        'redis' => new RedisHandler($cfg),
    };
}

$cfg = json_decode((string) stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
$cfg['sid_regex'] = match ((int) $cfg['sid_bits']) {
    4 => '[0-9a-f]',
    5 => '[0-9a-v]',
    6 => '[0-9a-zA-Z,-]',
} . '{' . (int) $cfg['sid_length'] . '}';

if (isset($cfg['gc'])) {
    // Garbage collection only, as PHP runs it at a session start.
    $h = handler($cfg);
    $h->open((string) ($cfg['save_path'] ?? ''), $cfg['cookie_name']);
    $n = $h->gc((int) $cfg['gc']);
    $h->close();
    echo json_encode(['collected' => $n]), "\n";
    exit(0);
}

$s = new CISession($cfg);
$s->start(handler($cfg));
$result = [
    'cookie_accepted' => session_id() === urldecode((string) $cfg['cookie']),
    'start' => CISession::view(),
    'stamps' => (object) [],
    'dumps' => (object) [],
];
$destroyed = false;
foreach ($cfg['actions'] as $a) {
    switch ($a['op']) {
        case 'set':
            $s->set($a['key'], $a['value']);
            break;
        case 'unset':
            $s->unset($a['key']);
            break;
        case 'flash':
            $s->setFlash($a['key'], $a['value']);
            break;
        case 'keep':
            $s->markAsFlash($a['key']);
            break;
        case 'unmark_temp':
            $s->unmarkTemp($a['key']);
            break;
        case 'unset_tempdata':
            $s->unsetTempdata($a['key']);
            break;
        case 'dump':
            $result['dumps']->{$a['key']} = isset($_SESSION[$a['key']]) ? serialize($_SESSION[$a['key']]) : null;
            break;
        case 'temp':
            $s->setTemp($a['key'], $a['value'], (int) $a['ttl']);
            break;
        case 'regenerate':
            $s->regenerate((bool) $a['destroy']);
            break;
        case 'destroy':
            session_destroy();
            $destroyed = true;
            break;
        case 'signal':
            echo "LOCKED\n";
            fflush(STDOUT);
            break;
        case 'sleep':
            usleep((int) $a['ms'] * 1000);
            break;
        case 'stamp':
            $result['stamps']->{$a['key']} = microtime(true);
            break;
        default:
            throw new InvalidArgumentException('unknown action ' . $a['op']);
    }
}
$result['end'] = CISession::view();
$result['id'] = $destroyed ? '' : session_id();
$result['cookie'] = urlencode($result['id']);
if (!$destroyed) {
    session_write_close();
}
$result['closed_at'] = microtime(true);
echo json_encode($result, JSON_THROW_ON_ERROR), "\n";
