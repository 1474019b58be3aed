// Includes Catch2 2.x or 3.x alike.
#pragma once
#if defined(SIGV4_CATCH2_V3)
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#else
#include <catch2/catch.hpp>
#endif
