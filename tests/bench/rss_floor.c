/* The resident memory any program linked with cmdr's libraries has before
 * it does anything of its own: first at main() (the dynamic loader's work:
 * relocations, each library's constructors, the pages they touch), then
 * once libcurl and OpenSSL are initialised, as every cmdr run does. make
 * bench prints both beside cmdr's peak RSS: cmdr's own cost is the rest.
 * Linked with exactly the libraries cmdr links (see the Makefile). */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static void print_rss(const char *key)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		long kb;
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			printf("%s=%ld\n", key, kb);
	}
	fclose(f);
}

int main(void)
{
	print_rss("rss_kb");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	print_rss("rss_init_kb");
	curl_global_cleanup();
	return 0;
}
