<?php
// Reads {"floats": [hex of 8 little-endian bytes...]} on stdin and prints
// {"floats": [base64 of serialize() of each float...]}: PHP formats floats
// that it builds from their bits.

declare(strict_types=1);

require __DIR__ . '/common.php';

$in = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
$out = ['floats' => []];
foreach ($in['floats'] as $hex) {
    $f = unpack('e', hex2bin($hex))[1];
    $out['floats'][] = base64_encode(serialize($f));
}
printJSON($out);
