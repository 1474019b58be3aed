// Catch2 2.x needs one translation unit that defines main; 3.x links Catch2WithMain instead.
#if !defined(SIGV4_CATCH2_V3)
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
