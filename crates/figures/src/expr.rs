//! A small expression language with exact symbolic derivatives.
//!
//! Written here rather than taken from a crate because the derivatives must cover `max`,
//! `min`, `abs` and the piecewise activations, which we differentiate branch by branch
//! (the kink itself takes the right-hand branch's neighbour convention: `u > 0`).
//!
//! Grammar: `sum = product (('+'|'-') product)*`, `product = unary (('*'|'/') unary)*`,
//! `unary = ('-'|'+') unary | power`, `power = atom (('^'|'**') unary)?`,
//! `atom = number | name | name '(' sum (',' sum)* ')' | '(' sum ')'`.

use std::f64::consts::{E, PI};

/// A variable index: 0 is `x`, 1 is `y`.
pub(super) type Var = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Func {
    Exp,
    Ln,
    Sqrt,
    Abs,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Softplus,
    Erf,
    Relu,
    Max,
    Min,
    LeakyRelu,
    Elu,
}

/// Function names, their arities and the default of an optional second parameter.
const FUNCS: &[(&str, Func, usize, Option<f64>)] = &[
    ("exp", Func::Exp, 1, None),
    ("ln", Func::Ln, 1, None),
    ("log", Func::Ln, 1, None),
    ("sqrt", Func::Sqrt, 1, None),
    ("abs", Func::Abs, 1, None),
    ("sin", Func::Sin, 1, None),
    ("cos", Func::Cos, 1, None),
    ("tanh", Func::Tanh, 1, None),
    ("sigmoid", Func::Sigmoid, 1, None),
    ("softplus", Func::Softplus, 1, None),
    ("erf", Func::Erf, 1, None),
    ("relu", Func::Relu, 1, None),
    ("max", Func::Max, 2, None),
    ("min", Func::Min, 2, None),
    ("leaky_relu", Func::LeakyRelu, 2, Some(0.01)),
    ("elu", Func::Elu, 2, Some(1.0)),
];

/// Activations that may be written as a bare name (`relu`) or with parameters only
/// (`leaky_relu(0.1)`), meaning the function of `x`.
pub(super) const ACTIVATIONS: &[&str] = &[
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "elu",
    "gelu",
    "silu",
    "swish",
    "softplus",
];

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Num(f64),
    Var(Var),
    Neg(Box<Node>),
    Add(Box<Node>, Box<Node>),
    Sub(Box<Node>, Box<Node>),
    Mul(Box<Node>, Box<Node>),
    Div(Box<Node>, Box<Node>),
    Pow(Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
    /// `if a > b { then } else { otherwise }`: the derivative of piecewise functions.
    IfGt(Box<[Node; 4]>),
}

use Node::*;

fn b(n: Node) -> Box<Node> {
    Box::new(n)
}

/// A parse error with the byte offset in the expression where it was noticed, and a
/// "did you mean …?" hint for a misspelled name.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ParseError {
    pub at: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// Parses an expression over the variables `vars` (e.g. `["x"]` or `["x", "y"]`).
pub(super) fn parse(text: &str, vars: &[&str]) -> Result<Node, ParseError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        vars,
        depth: 0,
    };
    let n = p.sum()?;
    p.skip_ws();
    if p.i < p.s.len() {
        return Err(p.err(format!("unexpected `{}`", &text[p.i..])));
    }
    Ok(n)
}

/// Parses a `function` series: a bare activation name or one with parameters only is the
/// function of `x`; anything else is an expression in `x`.
pub(super) fn parse_series(text: &str) -> Result<Node, ParseError> {
    let t = text.trim();
    if ACTIVATIONS.contains(&t) {
        return parse(&format!("{t}(x)"), &["x"]);
    }
    for name in ["leaky_relu", "elu"] {
        let params = t
            .strip_prefix(name)
            .and_then(|r| r.trim_start().strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'));
        if let Some(p) = params.filter(|p| parse(p, &[]).is_ok()) {
            return parse(&format!("{name}(x, {p})"), &["x"]);
        }
    }
    parse(t, &["x"])
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    vars: &'a [&'a str],
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, message: String) -> ParseError {
        ParseError {
            at: self.i,
            message,
            hint: None,
        }
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip_ws();
        if self.s[self.i..].starts_with(tok.as_bytes()) {
            self.i += tok.len();
            true
        } else {
            false
        }
    }

    fn sum(&mut self) -> Result<Node, ParseError> {
        // Bounds recursion so a pathological spec cannot overflow the stack.
        self.depth += 1;
        if self.depth > 200 {
            return Err(self.err("expression nested too deeply".into()));
        }
        let mut n = self.product()?;
        loop {
            if self.eat("+") {
                n = Add(b(n), b(self.product()?));
            } else if self.eat("-") {
                n = Sub(b(n), b(self.product()?));
            } else {
                break;
            }
        }
        self.depth -= 1;
        Ok(n)
    }

    fn product(&mut self) -> Result<Node, ParseError> {
        let mut n = self.unary()?;
        loop {
            self.skip_ws();
            if self.s[self.i..].starts_with(b"**") {
                break;
            }
            if self.eat("*") {
                n = Mul(b(n), b(self.unary()?));
            } else if self.eat("/") {
                n = Div(b(n), b(self.unary()?));
            } else {
                break;
            }
        }
        Ok(n)
    }

    fn unary(&mut self) -> Result<Node, ParseError> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(self.err("expression nested too deeply".into()));
        }
        let n = if self.eat("-") {
            Neg(b(self.unary()?))
        } else if self.eat("+") {
            self.unary()?
        } else {
            let base = self.atom()?;
            if self.eat("^") || self.eat("**") {
                Pow(b(base), b(self.unary()?))
            } else {
                base
            }
        };
        self.depth -= 1;
        Ok(n)
    }

    fn atom(&mut self) -> Result<Node, ParseError> {
        self.skip_ws();
        let start = self.i;
        let Some(&c) = self.s.get(self.i) else {
            return Err(self.err("expression ends too early".into()));
        };
        if c.is_ascii_digit() || c == b'.' {
            while self.i < self.s.len() && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'.') {
                self.i += 1;
            }
            if self.i < self.s.len() && (self.s[self.i] == b'e' || self.s[self.i] == b'E') {
                let save = self.i;
                self.i += 1;
                if self.i < self.s.len() && (self.s[self.i] == b'-' || self.s[self.i] == b'+') {
                    self.i += 1;
                }
                if self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                    while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                        self.i += 1;
                    }
                } else {
                    self.i = save;
                }
            }
            let t = &self.text[start..self.i];
            return t.parse().map(Num).map_err(|_| ParseError {
                at: start,
                message: format!("bad number `{t}`"),
                hint: None,
            });
        }
        if c == b'(' {
            self.i += 1;
            let n = self.sum()?;
            if !self.eat(")") {
                return Err(self.err("missing `)`".into()));
            }
            return Ok(n);
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
            {
                self.i += 1;
            }
            let name = &self.text[start..self.i];
            if self.eat("(") {
                let mut args = vec![self.sum()?];
                while self.eat(",") {
                    args.push(self.sum()?);
                }
                if !self.eat(")") {
                    return Err(self.err("missing `)`".into()));
                }
                return call(name, args).map_err(|e| ParseError { at: start, ..e });
            }
            if let Some(v) = self.vars.iter().position(|v| *v == name) {
                return Ok(Var(v));
            }
            return match name {
                "e" => Ok(Num(E)),
                "pi" => Ok(Num(PI)),
                _ => Err(ParseError {
                    at: start,
                    message: format!("unknown name `{name}`"),
                    hint: crate::names::hint(name, &names(self.vars)),
                }),
            };
        }
        Err(self.err(format!("unexpected `{}`", &self.text[self.i..])))
    }
}

fn names<'a>(vars: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = FUNCS
        .iter()
        .map(|f| f.0)
        .chain(["gelu", "silu", "swish", "e", "pi"])
        .collect();
    v.extend_from_slice(vars);
    v
}

/// Builds a call; `gelu` and `silu`/`swish` are rewritten into primitives. The error's
/// offset is left to the caller.
fn call(name: &str, mut args: Vec<Node>) -> Result<Node, ParseError> {
    let fail = |message: String| ParseError {
        at: 0,
        message,
        hint: None,
    };
    let arity_err = |n: usize| {
        fail(format!(
            "`{name}` takes {n} argument{}",
            if n == 1 { "" } else { "s" }
        ))
    };
    match name {
        "gelu" | "silu" | "swish" => {
            if args.len() != 1 {
                return Err(arity_err(1));
            }
            let u = args.remove(0);
            return Ok(if name == "gelu" {
                // x·Φ(x) = 0.5·x·(1 + erf(x/√2)), the exact GELU.
                Mul(
                    b(Mul(b(Num(0.5)), b(u.clone()))),
                    b(Add(
                        b(Num(1.0)),
                        b(Call(Func::Erf, vec![Div(b(u), b(Num(std::f64::consts::SQRT_2)))])),
                    )),
                )
            } else {
                Mul(b(u.clone()), b(Call(Func::Sigmoid, vec![u])))
            });
        }
        _ => {}
    }
    let Some(&(_, f, arity, default)) = FUNCS.iter().find(|(n, ..)| *n == name) else {
        return Err(ParseError {
            hint: crate::names::hint(name, &names(&[])),
            ..fail(format!("unknown function `{name}`"))
        });
    };
    if let (true, Some(d)) = (args.len() == arity - 1, default) {
        args.push(Num(d));
    }
    if args.len() != arity {
        return Err(arity_err(arity));
    }
    if matches!(f, Func::LeakyRelu | Func::Elu) && depends(&args[1]) {
        return Err(fail(format!("the parameter of `{name}` must be a constant")));
    }
    Ok(Call(f, args))
}

/// Whether a node depends on any variable.
fn depends(n: &Node) -> bool {
    match n {
        Num(_) => false,
        Var(_) => true,
        Neg(a) => depends(a),
        Add(a, c) | Sub(a, c) | Mul(a, c) | Div(a, c) | Pow(a, c) => depends(a) || depends(c),
        Call(_, args) => args.iter().any(depends),
        IfGt(parts) => parts.iter().any(depends),
    }
}

fn sigmoid(v: f64) -> f64 {
    if v >= 0.0 {
        1.0 / (1.0 + (-v).exp())
    } else {
        v.exp() / (1.0 + v.exp())
    }
}

/// erf to near double precision: Taylor series near 0, continued fraction for erfc beyond.
pub(super) fn erf(x: f64) -> f64 {
    let a = x.abs();
    let r = if a < 2.0 {
        let (mut term, mut sum) = (a, a);
        for n in 1..60 {
            let n = f64::from(n);
            term *= -a * a / n;
            sum += term / (2.0 * n + 1.0);
        }
        sum * 2.0 / PI.sqrt()
    } else if a < 27.0 {
        let mut f = a;
        for k in (1..80).rev() {
            f = a + f64::from(k) / 2.0 / f;
        }
        1.0 - (-a * a).exp() / PI.sqrt() / f
    } else {
        1.0
    };
    r.copysign(x)
}

/// Evaluates a node at the variable values `at`; NaN where undefined.
pub(super) fn eval(n: &Node, at: &[f64]) -> f64 {
    match n {
        Num(v) => *v,
        Var(i) => at.get(*i).copied().unwrap_or(f64::NAN),
        Neg(a) => -eval(a, at),
        Add(a, c) => eval(a, at) + eval(c, at),
        Sub(a, c) => eval(a, at) - eval(c, at),
        Mul(a, c) => eval(a, at) * eval(c, at),
        Div(a, c) => eval(a, at) / eval(c, at),
        Pow(a, c) => eval(a, at).powf(eval(c, at)),
        IfGt(p) => {
            if eval(&p[0], at) > eval(&p[1], at) {
                eval(&p[2], at)
            } else {
                eval(&p[3], at)
            }
        }
        Call(f, args) => {
            let u = eval(&args[0], at);
            let p = || args.get(1).map_or(f64::NAN, |a| eval(a, at));
            match f {
                Func::Exp => u.exp(),
                Func::Ln => u.ln(),
                Func::Sqrt => u.sqrt(),
                Func::Abs => u.abs(),
                Func::Sin => u.sin(),
                Func::Cos => u.cos(),
                Func::Tanh => u.tanh(),
                Func::Sigmoid => sigmoid(u),
                Func::Softplus => u.max(0.0) + (-u.abs()).exp().ln_1p(),
                Func::Erf => erf(u),
                Func::Relu => u.max(0.0),
                Func::Max => u.max(p()),
                Func::Min => u.min(p()),
                Func::LeakyRelu => {
                    if u > 0.0 {
                        u
                    } else {
                        p() * u
                    }
                }
                Func::Elu => {
                    if u > 0.0 {
                        u
                    } else {
                        p() * u.exp_m1()
                    }
                }
            }
        }
    }
}

fn mul(a: Node, c: Node) -> Node {
    match (&a, &c) {
        (Num(x), _) if *x == 0.0 => Num(0.0),
        (_, Num(x)) if *x == 0.0 => Num(0.0),
        (Num(x), _) if *x == 1.0 => c,
        (_, Num(x)) if *x == 1.0 => a,
        _ => Mul(b(a), b(c)),
    }
}

fn add(a: Node, c: Node) -> Node {
    match (&a, &c) {
        (Num(x), _) if *x == 0.0 => c,
        (_, Num(x)) if *x == 0.0 => a,
        _ => Add(b(a), b(c)),
    }
}

fn if_gt(a: Node, c: Node, then: Node, otherwise: Node) -> Node {
    IfGt(Box::new([a, c, then, otherwise]))
}

/// The exact derivative of `n` with respect to variable `v`.
pub(super) fn diff(n: &Node, v: Var) -> Node {
    match n {
        Num(_) => Num(0.0),
        Var(i) => Num(if *i == v { 1.0 } else { 0.0 }),
        Neg(a) => Neg(b(diff(a, v))),
        Add(a, c) => add(diff(a, v), diff(c, v)),
        Sub(a, c) => Sub(b(diff(a, v)), b(diff(c, v))),
        Mul(a, c) => add(mul(diff(a, v), (**c).clone()), mul((**a).clone(), diff(c, v))),
        Div(a, c) => Div(
            b(Sub(
                b(mul(diff(a, v), (**c).clone())),
                b(mul((**a).clone(), diff(c, v))),
            )),
            b(Pow(c.clone(), b(Num(2.0)))),
        ),
        Pow(a, c) if !depends(c) => mul(
            mul((**c).clone(), Pow(a.clone(), b(Sub(c.clone(), b(Num(1.0)))))),
            diff(a, v),
        ),
        // d(a^c) = a^c · (c'·ln a + c·a'/a)
        Pow(a, c) => mul(
            n.clone(),
            add(
                mul(diff(c, v), Call(Func::Ln, vec![(**a).clone()])),
                mul((**c).clone(), Div(b(diff(a, v)), a.clone())),
            ),
        ),
        IfGt(p) => if_gt(p[0].clone(), p[1].clone(), diff(&p[2], v), diff(&p[3], v)),
        Call(f, args) => {
            let u = args[0].clone();
            let du = diff(&u, v);
            let outer = match f {
                Func::Exp => n.clone(),
                Func::Ln => Div(b(Num(1.0)), b(u)),
                Func::Sqrt => Div(b(Num(0.5)), b(n.clone())),
                Func::Abs => return if_gt(u, Num(0.0), du.clone(), Neg(b(du))),
                Func::Sin => Call(Func::Cos, vec![u]),
                Func::Cos => Neg(b(Call(Func::Sin, vec![u]))),
                Func::Tanh => Sub(b(Num(1.0)), b(Pow(b(n.clone()), b(Num(2.0))))),
                Func::Sigmoid => mul(n.clone(), Sub(b(Num(1.0)), b(n.clone()))),
                Func::Softplus => Call(Func::Sigmoid, vec![u]),
                Func::Erf => mul(
                    Num(2.0 / PI.sqrt()),
                    Call(Func::Exp, vec![Neg(b(Pow(b(u), b(Num(2.0)))))]),
                ),
                Func::Relu => return if_gt(u, Num(0.0), du, Num(0.0)),
                Func::Max => return if_gt(u, args[1].clone(), du, diff(&args[1], v)),
                Func::Min => return if_gt(u, args[1].clone(), diff(&args[1], v), du),
                Func::LeakyRelu => return if_gt(u, Num(0.0), du.clone(), mul(args[1].clone(), du)),
                Func::Elu => {
                    let neg = mul(mul(args[1].clone(), Call(Func::Exp, vec![u.clone()])), du.clone());
                    return if_gt(u, Num(0.0), du, neg);
                }
            };
            mul(outer, du)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_derivative(text: &str) {
        let f = parse_series(text).unwrap();
        let d = diff(&f, 0);
        let h = 1e-5;
        for i in 0..=80 {
            // Offset from the kinks at 0 so central differences are valid.
            let x = -4.0 + 0.1 * f64::from(i) + 0.0123;
            let fd = (eval(&f, &[x + h]) - eval(&f, &[x - h])) / (2.0 * h);
            let exact = eval(&d, &[x]);
            assert!(
                (fd - exact).abs() < 1e-6 * (1.0 + exact.abs()),
                "{text} at {x}: {fd} vs {exact}"
            );
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for name in ACTIVATIONS {
            check_derivative(name);
        }
        for e in [
            "leaky_relu(0.2)",
            "elu(0.5)",
            "1/(1+exp(-x))",
            "max(0.1*x, x)",
            "min(x, x^2)",
            "x^3 - 2*x + abs(x)",
            "exp(-x^2/2)/sqrt(2*pi)",
            "2^x + ln(1 + x^2) * sin(x) - cos(x)/tanh(x + 10)",
            "(x^2 + 1)^(0.5*x)",
            "erf(x) + softplus(2*x)",
        ] {
            check_derivative(e);
        }
    }

    #[test]
    fn activations_have_their_textbook_values() {
        let at = |t: &str, x: f64| eval(&parse_series(t).unwrap(), &[x]);
        assert_eq!(at("relu", -1.0), 0.0);
        assert_eq!(at("leaky_relu(0.1)", -2.0), -0.2);
        assert!((at("sigmoid", 0.0) - 0.5).abs() < 1e-15);
        assert!((at("gelu", 1.0) - 0.841_344_746_068_542_9).abs() < 1e-12);
        assert!((at("softplus", 0.0) - 2f64.ln()).abs() < 1e-15);
        assert!((erf(2.5) - 0.999_593_047_982_555).abs() < 1e-13);
        assert!((at("1/(1+exp(-x))", 0.3) - at("sigmoid", 0.3)).abs() < 1e-15);
    }

    #[test]
    fn bad_expressions_are_errors() {
        for e in [
            "1/(1+exp(-x)",
            "x +",
            "foo(x)",
            "relu(x, 2)",
            "2 $ x",
            "leaky_relu(x, x)",
            "z",
        ] {
            assert!(parse_series(e).is_err(), "{e}");
        }
        let deep = "(".repeat(5000) + "x" + &")".repeat(5000);
        assert!(parse_series(&deep).is_err());
    }
}
