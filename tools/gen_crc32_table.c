/* SPDX-License-Identifier: MIT */
/*
 * Prints the 256-entry CRC-32 lookup table used by src/lib/nn/crc32.c (IEEE 802.3 / zlib: reflected
 * polynomial 0xEDB88320). Regenerate with:
 *   cc -o /tmp/gen_crc32_table tools/gen_crc32_table.c && /tmp/gen_crc32_table
 * and paste the output over the table in src/lib/nn/crc32.c.
 */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		/* One table entry is the CRC of the byte i alone: eight shift-and-conditional-xor steps. */
		for (int bit = 0; bit < 8; bit++)
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
		printf("%s0x%08xu,%s", i % 6 == 0 ? "\t" : " ", (unsigned)c, i % 6 == 5 || i == 255 ? "\n" : "");
	}
	return 0;
}
