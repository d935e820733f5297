<?php
// Shared by golden.php and roundtrip.php: strict error handling, the
// serializer settings the vectors assume, the classes they use, and a
// session handler that keeps everything in memory.

declare(strict_types=1);

error_reporting(E_ALL);
// Any warning, notice or deprecation fails the script: the vectors must come
// from clean runs.
set_error_handler(function (int $no, string $msg, string $file, int $line): bool {
    throw new ErrorException($msg, 0, $no, $file, $line);
});

ini_set('serialize_precision', '-1');
ini_set('session.serialize_handler', 'php');
ini_set('session.use_cookies', '0');
ini_set('session.use_only_cookies', '0');
ini_set('session.use_trans_sid', '0');
ini_set('session.cache_limiter', '');
ini_set('session.lazy_write', '0');
ini_set('session.gc_probability', '0');

final class GoldenUser
{
    public ?GoldenUser $friend = null;

    public function __construct(
        public string $name,
        protected int $level,
        private array $tags,
    ) {
    }
}

final class GoldenPoint
{
    public function __construct(private int $x, private int $y)
    {
    }

    public function __serialize(): array
    {
        return [$this->x, $this->y];
    }

    public function __unserialize(array $data): void
    {
        [$this->x, $this->y] = $data;
    }
}

enum GoldenSuit: string
{
    case Hearts = 'H';
    case Spades = 'S';
}

// MemoryHandler stores one session in memory: session_decode() needs an
// active session, and this one touches no file.
final class MemoryHandler implements SessionHandlerInterface
{
    public string $data = '';
    public ?string $written = null;

    public function open(string $path, string $name): bool
    {
        return true;
    }

    public function close(): bool
    {
        return true;
    }

    public function read(string $id): string|false
    {
        return $this->data;
    }

    public function write(string $id, string $data): bool
    {
        $this->written = $data;
        return true;
    }

    public function destroy(string $id): bool
    {
        $this->data = '';
        return true;
    }

    public function gc(int $max_lifetime): int|false
    {
        return 0;
    }
}

$handler = new MemoryHandler();
session_set_save_handler($handler, false);

// startSession starts a session over $data, as a request would.
function startSession(MemoryHandler $handler, string $data): void
{
    $handler->data = $data;
    $handler->written = null;
    session_id('golden');
    if (!session_start()) {
        throw new RuntimeException('session_start failed');
    }
}

// bytesOut is the JSON form of a byte string: base64, and the text itself
// when it is valid UTF-8, for people reading the file.
function bytesOut(string $s): array
{
    return ['b64' => base64_encode($s), 'text' => preg_match('//u', $s) ? $s : null];
}

function printJSON(array $out): void
{
    echo json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";
}
