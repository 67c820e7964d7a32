//! Reference kinship, inbreeding and kappa values on small pedigrees.
//!
//! Autosomal values are the textbook ones (Wright 1922; Lange ch. 5). X-chromosome values follow
//! the definition used by ribd `kinship(x, Xchrom = TRUE)` (R/kinshipX.R) and kinship2
//! `kinship(chrtype = "x")`; the ones marked "ribd" are asserted in ribd's
//! tests/testthat/test-kinship.R ("X-chrom inbreeding is computed correctly",
//! "kinship(Xchrom = T) works in pedlist").

mod common;

use common::{d, Ped};
use kinvault_model::{Sex, Zygosity};
use kinvault_pedigree::{Dyadic, PedigreeError};

#[test]
fn autosomal_reference_values() {
    let mut p = Ped::new();
    let (gf, gm) = (p.male(), p.female());
    let (u1, w1) = (p.child(&[gf, gm], Sex::Male), p.female());
    let (u2, w2) = (p.child(&[gf, gm], Sex::Male), p.female());
    let half_mum = p.female();
    let c1 = p.child(&[u1, w1], Sex::Female); // first cousins c1, c2
    let c1b = p.child(&[u1, w1], Sex::Male); // full sib of c1
    let c2 = p.child(&[u2, w2], Sex::Male);
    let h = p.child(&[u1, half_mum], Sex::Male); // half sib of c1
    let g = p.graph();

    assert_eq!(g.kinship(gf, gf).unwrap(), d("1/2"), "self");
    assert_eq!(g.kinship(u1, gf).unwrap(), d("1/4"), "parent–child");
    assert_eq!(g.kinship(c1, c1b).unwrap(), d("1/4"), "full sibs");
    assert_eq!(g.kinship(c1, h).unwrap(), d("1/8"), "half sibs");
    assert_eq!(g.kinship(c1, c2).unwrap(), d("1/16"), "first cousins");
    assert_eq!(g.kinship(c1, gm).unwrap(), d("1/8"), "grandchild");
    assert_eq!(g.kinship(c1, u2).unwrap(), d("1/8"), "niece–uncle");
    assert_eq!(g.kinship(w1, w2).unwrap(), Dyadic::ZERO, "unrelated");
    // Symmetric.
    assert_eq!(g.kinship(c2, c1).unwrap(), d("1/16"));
}

#[test]
fn second_cousins_and_double_first_cousins() {
    let mut p = Ped::new();
    let (gf, gm) = (p.male(), p.female());
    let a = p.child(&[gf, gm], Sex::Male);
    let b = p.child(&[gf, gm], Sex::Female);
    let (sa, sb) = (p.female(), p.male());
    let a1 = p.child(&[a, sa], Sex::Male);
    let b1 = p.child(&[sb, b], Sex::Female);
    let (sa1, sb1) = (p.female(), p.male());
    let a2 = p.child(&[a1, sa1], Sex::Male);
    let b2 = p.child(&[sb1, b1], Sex::Female);
    // Double first cousins: brothers x1, x2 marry sisters y1, y2.
    let (f1, m1, f2, m2) = (p.male(), p.female(), p.male(), p.female());
    let x1 = p.child(&[f1, m1], Sex::Male);
    let x2 = p.child(&[f1, m1], Sex::Male);
    let y1 = p.child(&[f2, m2], Sex::Female);
    let y2 = p.child(&[f2, m2], Sex::Female);
    let dc1 = p.child(&[x1, y1], Sex::Male);
    let dc2 = p.child(&[x2, y2], Sex::Female);
    let g = p.graph();
    assert_eq!(g.kinship(a2, b2).unwrap(), d("1/64"), "second cousins");
    assert_eq!(g.kinship(a1, b2).unwrap(), d("1/32"), "first cousins once removed");
    assert_eq!(g.kinship(dc1, dc2).unwrap(), d("1/8"), "double first cousins");
    let k = g.kappa(dc1, dc2).unwrap();
    assert_eq!((k.k0, k.k1, k.k2), (d("9/16"), d("6/16"), d("1/16")), "double first cousins κ");
}

#[test]
fn inbreeding_reference_values() {
    let mut p = Ped::new();
    let (gf, gm) = (p.male(), p.female());
    let bro = p.child(&[gf, gm], Sex::Male);
    let sis = p.child(&[gf, gm], Sex::Female);
    let bro2 = p.child(&[gf, gm], Sex::Male);
    let (wb, hs) = (p.female(), p.male());
    let cousin_m = p.child(&[bro2, wb], Sex::Male);
    let cousin_f = p.child(&[hs, sis], Sex::Female);
    let of_sibs = p.child(&[bro, sis], Sex::Female);
    let of_cousins = p.child(&[cousin_m, cousin_f], Sex::Male);
    let g = p.graph();
    assert_eq!(g.inbreeding(of_sibs).unwrap(), d("1/4"), "child of full sibs");
    assert_eq!(g.inbreeding(of_cousins).unwrap(), d("1/16"), "child of first cousins");
    assert_eq!(g.inbreeding(bro).unwrap(), Dyadic::ZERO);
    // φ(a,a) = ½(1 + F_a); φ(child, parent) picks up the inbreeding loop.
    assert_eq!(g.kinship(of_sibs, of_sibs).unwrap(), d("5/8"));
    assert_eq!(g.kinship(of_sibs, bro).unwrap(), d("3/8"));
    assert_eq!(g.kappa(of_sibs, bro), Err(PedigreeError::Inbred(of_sibs)));
}

#[test]
fn kappa_reference_values() {
    let mut p = Ped::new();
    let (gf, gm) = (p.male(), p.female());
    let u1 = p.child(&[gf, gm], Sex::Male);
    let u2 = p.child(&[gf, gm], Sex::Male);
    let (w1, w2, w3) = (p.female(), p.female(), p.female());
    let c1 = p.child(&[u1, w1], Sex::Female);
    let c2 = p.child(&[u2, w2], Sex::Male);
    let h = p.child(&[u1, w3], Sex::Male);
    let (t1, t2) = p.twins(&[u2, w2], Sex::Female, Zygosity::Monozygotic);
    let g = p.graph();
    let k = |a, b| {
        let k = g.kappa(a, b).unwrap();
        (k.k0.to_string(), k.k1.to_string(), k.k2.to_string())
    };
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(k(u1, gf), s("0", "1", "0"), "parent–child");
    assert_eq!(k(u1, u2), s("1/4", "1/2", "1/4"), "full sibs");
    assert_eq!(k(c1, h), s("1/2", "1/2", "0"), "half sibs");
    assert_eq!(k(c1, c2), s("3/4", "1/4", "0"), "first cousins");
    assert_eq!(k(t1, t2), s("0", "0", "1"), "MZ twins");
    assert_eq!(k(w1, w2), s("1", "0", "0"), "unrelated");
    assert_eq!(k(c1, gm), s("1/2", "1/2", "0"), "grandparent");
}

#[test]
fn monozygotic_twins_are_one_genome() {
    let mut p = Ped::new();
    let (f, m) = (p.male(), p.female());
    let (t1, t2) = p.twins(&[f, m], Sex::Male, Zygosity::Monozygotic);
    let (d1, d2) = p.twins(&[f, m], Sex::Female, Zygosity::Dizygotic);
    let (w1, w2) = (p.female(), p.female());
    let k1 = p.child(&[t1, w1], Sex::Male);
    let k2 = p.child(&[t2, w2], Sex::Female);
    let g = p.graph();
    assert_eq!(g.kinship(t1, t2).unwrap(), d("1/2"), "MZ twins");
    assert_eq!(g.kinship(d1, d2).unwrap(), d("1/4"), "DZ twins are full sibs");
    assert_eq!(g.kinship(k1, t2).unwrap(), d("1/4"), "a twin is genetically a parent of the other's child");
    assert_eq!(g.kinship(k1, k2).unwrap(), d("1/8"), "children of MZ twins: genetic half sibs");
    assert_eq!(g.kinship_x(t1, t2).unwrap(), d("1"), "male MZ twins share their one X");
}

#[test]
fn x_chromosome_reference_values() {
    let mut p = Ped::new();
    let (fa, mo) = (p.male(), p.female());
    let son = p.child(&[fa, mo], Sex::Male);
    let son2 = p.child(&[fa, mo], Sex::Male);
    let dau = p.child(&[fa, mo], Sex::Female);
    let dau2 = p.child(&[fa, mo], Sex::Female);
    let mo2 = p.female();
    let pat_half_sis = p.child(&[fa, mo2], Sex::Female);
    let g = p.graph();
    let kx = |a, b| g.kinship_x(a, b).unwrap().to_string();
    assert_eq!(kx(fa, dau), "1/2", "father–daughter");
    assert_eq!(kx(fa, son), "0", "father–son: no X passes father → son");
    assert_eq!(kx(mo, son), "1/2", "mother–son (ribd: kinX(nuclearPed, 2:3) = 0.5)");
    assert_eq!(kx(mo, dau), "1/4", "mother–daughter");
    assert_eq!(kx(son, dau), "1/4", "brother–sister");
    assert_eq!(kx(son, son2), "1/2", "brothers");
    assert_eq!(kx(dau, dau2), "3/8", "sisters");
    assert_eq!(kx(dau, pat_half_sis), "1/4", "paternal half-sisters");
    assert_eq!(kx(fa, fa), "1", "a male with himself");
    assert_eq!(kx(mo, mo), "1/2");
    // ribd: "Always 1 for males".
    assert_eq!(g.inbreeding_x(son).unwrap(), Dyadic::ONE);
    assert_eq!(g.inbreeding_x(dau).unwrap(), Dyadic::ZERO);
}

/// ribd tests/testthat/test-kinship.R, "X-chrom inbreeding is computed correctly":
/// `halfCousinPed(0, child = T)` — half sibs (a son and a daughter of one founder) have a child.
/// Common parent male → a female child has Fx = 0; common parent female → Fx = 0.25; a male child
/// always 1.
#[test]
fn x_inbreeding_of_child_of_half_sibs_as_in_ribd() {
    for (common_sex, want_female) in [(Sex::Male, "0"), (Sex::Female, "1/4")] {
        for (child_sex, want) in [(Sex::Female, want_female), (Sex::Male, "1")] {
            let mut p = Ped::new();
            let common = p.person(common_sex);
            let (o1, o2) = if common_sex == Sex::Male { (p.female(), p.female()) } else { (p.male(), p.male()) };
            let half_bro = p.child(&[common, o1], Sex::Male);
            let half_sis = p.child(&[common, o2], Sex::Female);
            let child = p.child(&[half_bro, half_sis], child_sex);
            let g = p.graph();
            assert_eq!(g.inbreeding_x(child).unwrap().to_string(), want, "common {common_sex:?}, child {child_sex:?}");
        }
    }
}

#[test]
fn x_needs_known_sexes_on_the_x_lines() {
    let mut p = Ped::new();
    let (fa, mo) = (p.male(), p.person(Sex::Unknown));
    let son = p.child(&[fa, mo], Sex::Male);
    let dau = p.child(&[fa, mo], Sex::Female);
    let g = p.graph();
    assert_eq!(g.kinship_x(son, dau), Err(PedigreeError::UnknownSex(mo)));
    // The autosomes do not care.
    assert_eq!(g.kinship(son, dau).unwrap(), d("1/4"));
}

#[test]
fn adoption_does_not_make_kinship() {
    let mut p = Ped::new();
    let (f, m) = (p.male(), p.female());
    let bio = p.child(&[f, m], Sex::Female);
    let adopted = p.adopted(&[f, m], Sex::Male);
    let g = p.graph();
    assert_eq!(g.kinship(adopted, f).unwrap(), Dyadic::ZERO);
    assert_eq!(g.kinship(adopted, bio).unwrap(), Dyadic::ZERO);
    assert_eq!(g.kinship(bio, f).unwrap(), d("1/4"));
}

#[test]
fn deep_chain_is_exact_and_iterative() {
    // 200 000 generations: 1/2^(n+1) exactly, no recursion anywhere.
    let mut p = Ped::new();
    let root = p.male();
    let mut cur = root;
    let n = 200_000u64;
    for _ in 0..n {
        let spouse = p.female();
        cur = p.child(&[cur, spouse], Sex::Male);
    }
    let g = p.graph();
    let phi = g.kinship(root, cur).unwrap();
    assert_eq!(phi, Dyadic::pow2_neg(n + 1));
    assert_eq!(phi.to_string(), format!("1/2^{}", n + 1));
    assert_eq!(g.inbreeding(cur).unwrap(), Dyadic::ZERO);
}

#[test]
fn display_and_float() {
    let mut p = Ped::new();
    let (gf, gm) = (p.male(), p.female());
    let a = p.child(&[gf, gm], Sex::Male);
    let b = p.child(&[gf, gm], Sex::Female);
    let g = p.graph();
    let phi = g.kinship(a, b).unwrap();
    assert_eq!(phi.to_string(), "1/4");
    assert_eq!(phi.to_f64(), 0.25);
}

#[test]
fn limits_are_errors_not_hangs() {
    use kinvault_pedigree::{Chromosome, KinshipOptions};
    let mut p = Ped::new();
    let root = p.male();
    let mut cur = root;
    for _ in 0..1000 {
        let spouse = p.female();
        cur = p.child(&[cur, spouse], Sex::Male);
    }
    let g = p.graph();
    let small = KinshipOptions { max_ancestors: 100, ..Default::default() };
    assert_eq!(g.kinship_with(root, cur, Chromosome::Autosomal, &small), Err(PedigreeError::TooLarge { limit: 100 }));
    let short = KinshipOptions { max_work: 10, ..Default::default() };
    assert_eq!(g.kinship_with(root, cur, Chromosome::Autosomal, &short), Err(PedigreeError::WorkLimit(10)));
}
