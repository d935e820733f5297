<?php
// Reads {"merge": [[dst, src], ...], "url": [string, ...]} on stdin, the
// arrays serialized and the strings base64-encoded. Prints what PHP's own
// functions make of them:
//
//	{"merge": [serialize(array_merge(dst, src)), ...],
//	 "urlencode": [...], "urldecode": [...]}
//
// every string base64-encoded.

declare(strict_types=1);

require __DIR__ . '/common.php';

$in = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
$out = ['merge' => [], 'urlencode' => [], 'urldecode' => []];
foreach ($in['merge'] as [$dst, $src]) {
    $merged = array_merge(unserialize(base64_decode($dst)), unserialize(base64_decode($src)));
    $out['merge'][] = base64_encode(serialize($merged));
}
foreach ($in['url'] as $s) {
    $s = base64_decode($s);
    $out['urlencode'][] = base64_encode(urlencode($s));
    $out['urldecode'][] = base64_encode(urldecode($s));
}
echo json_encode($out, JSON_THROW_ON_ERROR), "\n";
