<?php
// Prints golden.json: what PHP's serialize() writes for a list of values, and
// what session_encode() returns and the session handler is given for a list
// of sessions. The Go tests check Decode and Encode against the file, and,
// when SESSION_TEST_PHP names a php binary, that this script still prints it:
//
//	php core/php/testdata/golden.php > core/php/testdata/golden.json

declare(strict_types=1);

require __DIR__ . '/common.php';

$user = new GoldenUser('Ada', 3, ['admin', 'ops']);
$std = new stdClass();
$std->a = 1;
$std->list = [1, 2];
$shared = new stdClass();
$shared->n = 1;
$withRef = [1, 2];
$withRef[2] = &$withRef[0];
$friends = new GoldenUser('Bob', 1, []);
$friends->friend = $friends;

$values = [
    'null' => null,
    'false' => false,
    'true' => true,
    'int_zero' => 0,
    'int_42' => 42,
    'int_negative' => -7,
    'int_max' => PHP_INT_MAX,
    'int_min' => PHP_INT_MIN,
    'float_zero' => 0.0,
    'float_negative_zero' => -0.0,
    'float_one' => 1.0,
    'float_one_and_a_half' => 1.5,
    'float_negative' => -2.25,
    'float_0.1' => 0.1,
    'float_0.1+0.2' => 0.1 + 0.2,
    'float_one_third' => 1 / 3,
    'float_1e25' => 1e25,
    'float_1e-7' => 1e-7,
    'float_0.0001' => 0.0001,
    'float_0.00001' => 0.00001,
    'float_1e15' => 1e15,
    'float_1e16' => 1e16,
    'float_1e17' => 1e17,
    'float_int_max' => (float) PHP_INT_MAX,
    'float_2^53+2' => 9007199254740994.0,
    'float_max' => PHP_FLOAT_MAX,
    'float_min_normal' => PHP_FLOAT_MIN,
    'float_min_subnormal' => 5e-324,
    'float_epsilon' => PHP_FLOAT_EPSILON,
    'float_inf' => INF,
    'float_negative_inf' => -INF,
    'float_nan' => NAN,
    'string_empty' => '',
    'string_ascii' => 'hello',
    'string_utf8' => "h\u{e9}llo w\u{f6}rld \u{2713} \u{65e5}\u{672c} \u{1f600}",
    'string_quotes' => 'say "hi"; it\'s a|b {c}',
    'string_nul' => "a\0b\0",
    'string_binary' => "\x00\xff\xfe\x80\"\r\n;",
    'string_digits' => '007',
    'array_empty' => [],
    'array_list' => [1, 2, 3],
    'array_list_mixed' => [1, 'two', 3.5, true, null],
    'array_assoc' => ['a' => 1, 'b' => 'x'],
    'array_mixed_keys' => [5 => 'a', 'k' => 'v', 0 => 'z'],
    'array_non_sequential' => [1 => 'a', 2 => 'b'],
    'array_reordered' => [1 => 'b', 0 => 'a'],
    'array_negative_keys' => [-1 => 'a', -5 => 'b'],
    'array_numeric_string_keys' => ['42' => 'x', '042' => 'y', '-7' => 'z', '1.5' => 'w', '-0' => 'v'],
    'array_nested' => ['list' => [[1, 2], [3, [4, 5]]], 'map' => ['x' => ['y' => ['z' => null]]], 7 => []],
    'object_stdclass' => $std,
    'object_user' => $user,
    'object_serialize_method' => new GoldenPoint(3, 4),
    'enum_case' => GoldenSuit::Hearts,
    'array_of_objects' => ['u' => $user, 'e' => GoldenSuit::Spades],
    'object_shared' => [$shared, $shared],
    'object_self_reference' => $friends,
    'reference_in_array' => $withRef,
];

$sessions = [
    'empty' => function (): void {
    },
    'simple' => function (): void {
        $_SESSION['user_id'] = 42;
        $_SESSION['name'] = 'Ada';
        $_SESSION['logged_in'] = true;
    },
    // What CodeIgniter 3.1 and 4 leave in a session: __ci_last_regenerate
    // first, set at session start; set_flashdata() sets the item then marks
    // it "new" in __ci_vars; a flash item from the previous request was
    // turned "old" by the session start; set_tempdata() marks the item with
    // its expiry time. The times are fixed so that the file is stable.
    'codeigniter' => function (): void {
        $now = 1700000000;
        $_SESSION['__ci_last_regenerate'] = $now - 120;
        $_SESSION['notice'] = 'Welcome back';
        $_SESSION['__ci_vars']['notice'] = 'new';
        // next request: initVars() turns "new" into "old"
        $_SESSION['__ci_vars']['notice'] = 'old';
        $_SESSION['user_id'] = 42;
        $_SESSION['cart'] = ['items' => [['sku' => 'A-1', 'qty' => 2]], 'total' => 19.9];
        $_SESSION['message'] = 'Saved';
        $_SESSION['__ci_vars']['message'] = 'new';
        $_SESSION['otp'] = '123456';
        $_SESSION['__ci_vars']['otp'] = $now + 300;
    },
    // CodeIgniter 4's getFlashdata() and getTempdata() start with
    // $_SESSION['__ci_vars'] ??= [], which stores an empty array.
    'codeigniter_empty_vars' => function (): void {
        $_SESSION['__ci_last_regenerate'] = 1699999880;
        $_SESSION['user_id'] = 42;
        $_SESSION['__ci_vars'] ??= [];
    },
    'all_kinds' => function () use ($user): void {
        $_SESSION['null'] = null;
        $_SESSION['bool'] = false;
        $_SESSION['int'] = -12;
        $_SESSION['float'] = 0.1;
        $_SESSION['float_exp'] = 1e25;
        $_SESSION['string'] = "quote \" pipe | semicolon ; brace }";
        $_SESSION['binary'] = "\x00\xff|";
        $_SESSION['list'] = ['a', 'b'];
        $_SESSION['map'] = ['k' => 'v', 3 => 'three'];
        $_SESSION['object'] = $user;
    },
    'odd_keys' => function (): void {
        $_SESSION[''] = 'empty key';
        $_SESSION['with space'] = 1;
        $_SESSION["\u{43a}\u{43b}\u{44e}\u{447}"] = 2;
        $_SESSION['007'] = 3;
        $_SESSION['1.5'] = 4;
        $_SESSION['-0'] = 5;
        $_SESSION['!bang'] = 6;
        $_SESSION['semi;colon'] = 7;
    },
    'references' => function (): void {
        $shared = new stdClass();
        $shared->id = 9;
        $_SESSION['list'] = [1, 2];
        $_SESSION['alias'] = &$_SESSION['list'][1];
        $_SESSION['obj'] = $shared;
        $_SESSION['same_obj'] = $shared;
        $_SESSION['after'] = 'tail';
    },
];

$out = ['generator' => 'core/php/testdata/golden.php', 'values' => [], 'sessions' => []];
foreach ($values as $name => $v) {
    $out['values'][] = ['name' => $name] + bytesOut(serialize($v));
}
foreach ($sessions as $name => $fill) {
    startSession($handler, '');
    $fill();
    $encoded = session_encode();
    session_write_close();
    if ($handler->written === null) {
        throw new RuntimeException("session $name: nothing written");
    }
    // session_encode() returns false for an empty session; the handler is
    // given '' then.
    $out['sessions'][] = ['name' => $name, 'session_encode' => $encoded === false ? false : bytesOut($encoded)]
        + bytesOut($handler->written);
}
printJSON($out);
