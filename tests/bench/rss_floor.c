/* The resident memory any program linked with cmdr's libraries has before
 * it does anything of its own: first at main() (the dynamic loader's work:
 * relocations, each library's constructors, the pages they touch), then
 * once libcurl is loaded and initialised, as core/io/curlfn.c does on a live
 * console's first request (a drill never loads it). make bench prints
 * both beside cmdr's peak RSS: cmdr's own cost is the rest. Linked with
 * exactly the libraries cmdr links (see the Makefile). */
#include <dlfcn.h>
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
	void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	CURLcode (*init)(long) = NULL;
	if (lib)
		*(void **)&init = dlsym(lib, "curl_global_init");
	if (!init || init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	print_rss("rss_init_kb");
	return 0;
}
