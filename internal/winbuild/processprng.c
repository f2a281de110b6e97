/* bcryptprimitives.dll for Wine 8 (Debian 12), which lacks it: Go 1.22 and later call its
   ProcessPrng at start-up, as Windows 10 and 11 provide it. check.sh puts this stand-in into the
   Wine prefix's system32; it is never shipped. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!RtlGenRandom(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
