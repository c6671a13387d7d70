//! The calculator's state machine: what each key does to the display.
//!
//! It behaves like a pocket calculator, evaluating strictly left to right as keys are
//! pressed, with no operator precedence: `1 + 2 × 3 =` is (1 + 2) × 3 = 9, because
//! pressing `×` already shows the running result 3. Other details:
//! - `=` repeats the last operation: `2 + 3 = =` shows 5, then 8;
//! - an operator right after another replaces it (`5 + × 2 =` is 10);
//! - `=` with no second number uses the shown one (`4 × =` is 16);
//! - a digit after `=` starts a new calculation;
//! - an error (division by zero, overflow) shows `Error` until `C` or a digit;
//! - `⌫` (Backspace) deletes the last typed character.

use crate::decimal::{CalcError, Decimal, MAX_DIGITS};

/// The four operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `−`
    Sub,
    /// `×`
    Mul,
    /// `÷`
    Div,
}

impl Op {
    /// `a op b`.
    pub fn apply(self, a: Decimal, b: Decimal) -> Result<Decimal, CalcError> {
        match self {
            Op::Add => a.checked_add(b),
            Op::Sub => a.checked_sub(b),
            Op::Mul => a.checked_mul(b),
            Op::Div => a.checked_div(b),
        }
    }
}

/// A key of the calculator (from a button or the keyboard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// `0`..`9`.
    Digit(u8),
    /// `.`
    Point,
    /// An operation.
    Op(Op),
    /// `=`
    Equals,
    /// `C`: clear everything.
    Clear,
    /// `⌫`: delete the last typed character.
    Backspace,
}

/// What the display shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    /// A number being typed, exactly as typed (`"0."`, `"1.50"`).
    Entry(String),
    /// A result (or an operand that is not being edited).
    Value(Decimal),
    /// `Error`.
    Error,
}

/// The calculator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calculator {
    shown: Shown,
    /// The left operand and the operation waiting for the right one.
    pending: Option<(Decimal, Op)>,
    /// The last operation and right operand, for repeated `=`.
    last: Option<(Op, Decimal)>,
}

impl Default for Calculator {
    fn default() -> Self {
        Calculator::new()
    }
}

impl Calculator {
    /// A cleared calculator showing 0.
    pub fn new() -> Calculator {
        Calculator {
            shown: Shown::Value(Decimal::ZERO),
            pending: None,
            last: None,
        }
    }

    /// The display's text: the number as typed or computed, or `Error`.
    pub fn display(&self) -> String {
        match &self.shown {
            Shown::Entry(s) => s.clone(),
            Shown::Value(v) => v.to_string(),
            Shown::Error => "Error".into(),
        }
    }

    /// The operation waiting for its right operand, if any (shown as a hint).
    pub fn pending_op(&self) -> Option<Op> {
        self.pending.map(|(_, op)| op)
    }

    /// The shown number (a typed entry parsed).
    fn value(&self) -> Option<Decimal> {
        match &self.shown {
            Shown::Entry(s) => Decimal::parse(s).and_then(Result::ok),
            Shown::Value(v) => Some(*v),
            Shown::Error => None,
        }
    }

    /// Shows a result, or `Error` (and forgets the calculation) if there is none.
    fn show(&mut self, r: Result<Decimal, CalcError>) {
        match r {
            Ok(v) => self.shown = Shown::Value(v),
            Err(_) => {
                self.shown = Shown::Error;
                self.pending = None;
                self.last = None;
            }
        }
    }

    /// Applies one key.
    pub fn press(&mut self, input: Input) {
        match input {
            Input::Digit(d) => self.digit(d),
            Input::Point => self.point(),
            Input::Op(op) => self.op(op),
            Input::Equals => self.equals(),
            Input::Clear => *self = Calculator::new(),
            Input::Backspace => self.backspace(),
        }
    }

    /// Applies keys in order.
    pub fn press_all(&mut self, inputs: impl IntoIterator<Item = Input>) {
        for i in inputs {
            self.press(i);
        }
    }

    fn digit(&mut self, d: u8) {
        let c = char::from(b'0' + d.min(9));
        match &mut self.shown {
            Shown::Entry(s) => {
                let typed = s.bytes().filter(u8::is_ascii_digit).count() as u32;
                if s == "0" {
                    *s = c.to_string();
                } else if typed < MAX_DIGITS {
                    s.push(c);
                }
            }
            Shown::Error => {
                *self = Calculator::new();
                self.shown = Shown::Entry(c.to_string());
            }
            Shown::Value(_) => {
                // A new number: after `=` (nothing pending) also a new calculation.
                if self.pending.is_none() {
                    self.last = None;
                }
                self.shown = Shown::Entry(c.to_string());
            }
        }
    }

    fn point(&mut self) {
        match &mut self.shown {
            Shown::Entry(s) => {
                if !s.contains('.') {
                    s.push('.');
                }
            }
            Shown::Error => {
                *self = Calculator::new();
                self.shown = Shown::Entry("0.".into());
            }
            Shown::Value(_) => {
                if self.pending.is_none() {
                    self.last = None;
                }
                self.shown = Shown::Entry("0.".into());
            }
        }
    }

    fn op(&mut self, op: Op) {
        let Some(current) = self.value() else {
            // `Error` ignores operators until cleared.
            return;
        };
        let typed = matches!(self.shown, Shown::Entry(_));
        match self.pending {
            // A second number was typed: evaluate what is pending first (left to right).
            Some((left, prev)) if typed => {
                self.show(prev.apply(left, current));
                if let Shown::Value(v) = self.shown {
                    self.pending = Some((v, op));
                }
            }
            // Operator after operator: the new one replaces the old.
            Some((left, _)) => {
                self.pending = Some((left, op));
            }
            None => {
                self.shown = Shown::Value(current);
                self.pending = Some((current, op));
            }
        }
    }

    fn equals(&mut self) {
        let Some(current) = self.value() else {
            return;
        };
        if let Some((left, op)) = self.pending.take() {
            // With nothing typed after the operator, the shown number is the operand.
            self.last = Some((op, current));
            self.show(op.apply(left, current));
        } else if let Some((op, right)) = self.last {
            self.show(op.apply(current, right));
        } else {
            self.shown = Shown::Value(current);
        }
    }

    fn backspace(&mut self) {
        match &mut self.shown {
            Shown::Entry(s) => {
                s.pop();
                if s.is_empty() || s == "-" {
                    *s = "0".into();
                }
            }
            Shown::Error => *self = Calculator::new(),
            // A result is not edited digit by digit.
            Shown::Value(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Presses the keys a string spells: digits, `.`, `+-*/`, `=`, `C`, `<` (⌫).
    fn keys(s: &str) -> String {
        let mut c = Calculator::new();
        for ch in s.chars().filter(|c| !c.is_whitespace()) {
            c.press(match ch {
                '0'..='9' => Input::Digit(ch as u8 - b'0'),
                '.' => Input::Point,
                '+' => Input::Op(Op::Add),
                '-' => Input::Op(Op::Sub),
                '*' => Input::Op(Op::Mul),
                '/' => Input::Op(Op::Div),
                '=' => Input::Equals,
                'C' => Input::Clear,
                '<' => Input::Backspace,
                other => panic!("{other}"),
            });
        }
        c.display()
    }

    #[test]
    fn basics() {
        assert_eq!(keys(""), "0");
        assert_eq!(keys("1 + 2 ="), "3");
        assert_eq!(keys("0.1 + 0.2 ="), "0.3");
        assert_eq!(keys("1 / 3 ="), "0.333333333333");
        assert_eq!(keys("2 / 3 ="), "0.666666666667");
        assert_eq!(keys("7 - 10 ="), "-3");
        assert_eq!(keys("6 * 7 ="), "42");
        assert_eq!(keys("1.5 * 4 ="), "6");
    }

    #[test]
    fn chains_evaluate_left_to_right() {
        assert_eq!(keys("1 + 2 * 3 ="), "9");
        // The running result shows when the next operator is pressed.
        assert_eq!(keys("1 + 2 *"), "3");
        assert_eq!(keys("10 - 4 / 2 ="), "3");
        assert_eq!(keys("2 * 3 + 4 * 5 ="), "50");
    }

    #[test]
    fn typing() {
        assert_eq!(keys("0 0 7"), "7");
        assert_eq!(keys("1.50"), "1.50");
        assert_eq!(keys("1..5"), "1.5");
        assert_eq!(keys(".5"), "0.5");
        assert_eq!(keys("12<"), "1");
        assert_eq!(keys("1<<"), "0");
        assert_eq!(keys("1.<"), "1");
        // At most 16 digits are typed.
        assert_eq!(keys("12345678901234567890"), "1234567890123456");
        assert_eq!(keys("0.0000000000000000001"), "0.000000000000000");
        // A typed value beyond 12 fraction digits is rounded when used.
        assert_eq!(keys("0.0000000000005 + 0 ="), "0.000000000001");
    }

    #[test]
    fn equals_details() {
        assert_eq!(keys("2 + 3 = ="), "8");
        assert_eq!(keys("2 + 3 = = ="), "11");
        assert_eq!(keys("4 * ="), "16");
        assert_eq!(keys("5 ="), "5");
        assert_eq!(keys("5 + * 2 ="), "10");
        // A digit after `=` starts over; an operator continues from the result.
        assert_eq!(keys("2 + 3 = 4 ="), "4");
        assert_eq!(keys("2 + 3 = * 2 ="), "10");
        assert_eq!(keys("2 + 3 = <"), "5");
    }

    #[test]
    fn errors_stay_until_clear_or_digit() {
        assert_eq!(keys("1 / 0 ="), "Error");
        assert_eq!(keys("1 / 0 = + ="), "Error");
        // A digit starts over even after an ignored operator.
        assert_eq!(keys("1 / 0 = + 2 ="), "2");
        assert_eq!(keys("1 / 0 = ="), "Error");
        assert_eq!(keys("1 / 0 = C"), "0");
        assert_eq!(keys("1 / 0 = 7"), "7");
        assert_eq!(keys("1 / 0 = 7 + 1 ="), "8");
        assert_eq!(keys("1 / 0 = ."), "0.");
        assert_eq!(keys("1 / 0 = <"), "0");
        // Division by zero inside a chain.
        assert_eq!(keys("5 / 0 +"), "Error");
        assert_eq!(keys("5 / 0 + ="), "Error");
        // Overflow.
        assert_eq!(keys("9999999999999999 + 1 ="), "Error");
        assert_eq!(keys("99999999 * 99999999 * 10 ="), "Error");
        assert_eq!(keys("99999999 * 99999999 ="), "9999999800000001");
    }

    #[test]
    fn clear_forgets_everything() {
        assert_eq!(keys("2 + 3 C ="), "0");
        assert_eq!(keys("2 + 3 = C ="), "0");
    }
}
