// tests/support/co_assert.h: ASSERT_TRUE for coroutine bodies, where
// gtest's ASSERT_* cannot be used (they `return`; a coroutine must
// `co_return`). Records a failure and leaves the coroutine.
#pragma once

#include "gtest/gtest.h"

#define CO_ASSERT_TRUE(condition)              \
  if (!(condition)) {                          \
    ADD_FAILURE() << "Expected true: " #condition; \
    co_return;                                 \
  }
