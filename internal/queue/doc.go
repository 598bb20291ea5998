// Package queue is a first-in first-out slice that reuses its storage:
// taking items off the front moves the front, and the items left are
// copied down once the taken ones are at least half, so a queue whose
// length stays bounded stops allocating (a re-sliced Go slice,
// q = q[n:], gives its front capacity up and reallocates on append).
package queue
