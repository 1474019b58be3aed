// sigv4 — what every public header checks first: the language level it needs.
#ifndef SIGV4_DETAIL_CONFIG_HPP
#define SIGV4_DETAIL_CONFIG_HPP

// MSVC keeps __cplusplus at 199711L unless /Zc:__cplusplus is given; _MSVC_LANG tells the truth.
#if defined(_MSVC_LANG)
#define SIGV4_DETAIL_CPLUSPLUS _MSVC_LANG
#else
#define SIGV4_DETAIL_CPLUSPLUS __cplusplus
#endif

#if SIGV4_DETAIL_CPLUSPLUS < 201703L
#error "sigv4 needs C++17 or later (e.g. -std=c++17, or CMake's cxx_std_17, which sigv4::sigv4 sets)"
// Compilers carry on after #error and would report hundreds of C++17 constructs below it. A
// missing include is fatal everywhere, so the message above stays the only one that matters.
#include <sigv4-stops-here-because-it-needs-cpp17>
#endif

#endif
