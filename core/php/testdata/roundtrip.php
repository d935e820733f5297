<?php
// Reads {"values": [base64...], "sessions": [base64...]} on stdin. For each
// value, unserialize() then serialize(); for each session payload,
// session_decode() then session_encode(). Prints what PHP made of them:
//
//	{"values": [{"ok": true, "out": base64, "float": hex bits or null,
//	             "errors": [...]}, ...], "sessions": [...]}
//
// "ok" is false when PHP refused the input; "errors" lists the notices and
// warnings PHP raised on the way, which the Go tests check.

declare(strict_types=1);

require __DIR__ . '/common.php';

$in = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);

// capture runs $f, collecting the errors PHP raises instead of failing.
function capture(callable $f, array &$errors): mixed
{
    set_error_handler(function (int $no, string $msg) use (&$errors): bool {
        $errors[] = $msg;
        return true;
    });
    try {
        return $f();
    } finally {
        restore_error_handler();
    }
}

$out = ['values' => [], 'sessions' => []];

foreach ($in['values'] as $b64) {
    $s = base64_decode($b64, true);
    $errors = [];
    $v = capture(fn () => unserialize($s), $errors);
    $ok = !($v === false && $errors !== []);
    $out['values'][] = [
        'ok' => $ok,
        'out' => $ok ? base64_encode(serialize($v)) : null,
        'float' => is_float($v) ? bin2hex(pack('E', $v)) : null,
        'errors' => $errors,
    ];
}

foreach ($in['sessions'] as $b64) {
    $s = base64_decode($b64, true);
    if (session_status() !== PHP_SESSION_ACTIVE) {
        // a failed session_decode() destroys the session
        startSession($handler, '');
    }
    session_unset();
    $errors = [];
    $ok = capture(fn () => session_decode($s), $errors);
    $encoded = $ok ? capture(fn () => session_encode(), $errors) : false;
    $out['sessions'][] = [
        'ok' => $ok,
        'out' => $ok ? base64_encode($encoded === false ? '' : $encoded) : null,
        'errors' => $errors,
    ];
}
if (session_status() === PHP_SESSION_ACTIVE) {
    session_abort();
}

printJSON($out);
