//! (interim) text helpers; replaced by the classifier's module.
