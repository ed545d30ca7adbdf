//! SRP against the vectors in tests/vectors/srp-vectors.json (the RFC 5054 group, RFC 5869 HKDF
//! and Cognito sign-in cases computed by five independent implementations:
//! amazon-cognito-identity-js, Amplify v6, warrant/pycognito, the Go cognito-srp and the AWS
//! .NET extension library) and a client/server property test.
//! Pure code: runs natively under `cargo test` and in headless Chromium under `wasm-pack test`.

use cognito_proto::codec::{base64_decode, hex_decode, hex_encode};
use cognito_proto::crypto::secret_hash;
use cognito_proto::json::Json;
use cognito_proto::srp::mont::{self, U3072};
use cognito_proto::srp::server::{verifier, ServerEphemeral};
use cognito_proto::srp::*;
use cognito_proto::types::*;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

const VECTORS: &str = include_str!("vectors/srp-vectors.json");

fn vectors() -> Json {
    Json::parse(VECTORS).expect("vectors parse")
}

fn s<'a>(v: &'a Json, k: &str) -> &'a str {
    v.str(k).unwrap_or_else(|| panic!("missing {k}"))
}

fn u_hex(x: &U3072) -> String {
    unpadded_hex(&x.to_be_bytes())
}

fn hex(b: &[u8]) -> Vec<u8> {
    hex_decode(b.iter().map(|&c| c as char).collect::<String>().as_str()).unwrap()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn primitives() {
    let v = vectors();
    let p = v.get("primitives").unwrap();
    assert_eq!(u_hex(&k()), s(p, "k_hex"));
    assert_eq!(unpadded_hex(&mont::N.to_be_bytes()), s(p, "N_hex"));
    for (n, padded) in p.get("pad_hex_examples").unwrap().as_object().unwrap() {
        let n: u64 = n.parse().unwrap();
        assert_eq!(hex_encode(&pad(&n.to_be_bytes())), padded.as_str().unwrap(), "pad({n})");
    }
    for (iso, want) in p.get("timestamps").unwrap().as_object().unwrap() {
        let secs = iso_to_unix(iso);
        assert_eq!(SrpTimestamp::from_unix(secs).as_str(), want.as_str().unwrap());
        assert_eq!(SrpTimestamp::parse(want.as_str().unwrap()), Some(secs));
    }
    for c in p.get("secret_hash").unwrap().as_array().unwrap() {
        assert_eq!(secret_hash(s(c, "client_secret"), s(c, "username"), s(c, "client_id")), s(c, "SECRET_HASH"));
    }
}

/// "2018-09-25T00:09:40Z" → seconds, independently of the code under test (days counted by
/// walking months).
fn iso_to_unix(iso: &str) -> i64 {
    let n = |a: usize, b: usize| iso[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days = 0;
    for yy in 1970..y {
        days += if leap(yy) { 366 } else { 365 };
    }
    let ml = [31, if leap(y) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    days += ml[..(m - 1) as usize].iter().sum::<i64>() + d - 1;
    days * 86400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn every_sign_in_case_every_intermediate() {
    let v = vectors();
    let cases = v.get("cases").unwrap().as_array().unwrap();
    assert_eq!(cases.len(), 7);
    for c in cases {
        let id = s(c, "id");
        let e = c.get("expected").unwrap();
        let pool = UserPoolId::parse(s(c, "user_pool_id")).unwrap();
        assert_eq!(pool.pool_name(), s(c, "pool_name"));
        let user = UserIdForSrp::new(s(c, "user_id_for_srp"));
        let password = Password::new(s(c, "password"));

        // Client ephemeral: A = g^a.
        let eph = ClientEphemeral::from_private(&hex(s(c, "a_hex").as_bytes())).unwrap();
        assert_eq!(eph.public().to_hex(), s(e, "A_hex"), "{id}: A");
        let ia = e.get("initiate_auth").unwrap().get("AuthParameters").unwrap();
        assert_eq!(eph.public().to_hex(), s(ia, "SRP_A"), "{id}: SRP_A on the wire");
        assert_eq!(s(ia, "USERNAME"), s(c, "username"));

        // Server: verifier and B = k·v + g^b.
        let salt = Salt::from_hex(s(c, "salt_hex")).unwrap();
        assert_eq!(hex_encode(&salt.padded()), s(e, "salt_padded_hex"), "{id}: pad(salt)");
        let ver = verifier(&salt, pool.pool_name(), user.as_str(), password.expose());
        assert_eq!(u_hex(&ver), s(e, "verifier_hex"), "{id}: v");
        let server = ServerEphemeral::new(&hex(s(c, "b_hex").as_bytes()), &ver).unwrap();
        assert_eq!(server.public().to_hex(), s(e, "B_hex"), "{id}: B");

        // The challenge as the client receives it.
        let params = e.get("password_verifier_challenge_parameters").unwrap();
        assert_eq!(s(params, "SRP_B"), s(e, "B_hex"));
        assert_eq!(s(params, "SECRET_BLOCK"), s(c, "secret_block_b64"));
        let ch = VerifierChallenge::from_params(|k| params.str(k)).unwrap();
        let ts = SrpTimestamp::from_string(s(c, "timestamp"));
        assert!(SrpTimestamp::parse(ts.as_str()).is_some(), "{id}: timestamp shape");

        let claim = password_claim(&eph, &pool, &UserIdForSrp::new(s(params, "USER_ID_FOR_SRP")), &password, &ch, &ts).unwrap();
        assert_eq!(hex_encode(&claim.u), s(e, "u_hex"), "{id}: u");
        assert_eq!(hex_encode(&claim.x), s(e, "x_hex"), "{id}: x");
        assert_eq!(u_hex(&claim.s), s(e, "S_hex"), "{id}: S");
        assert_eq!(hex_encode(&claim.key), s(e, "hkdf_key_hex"), "{id}: HKDF key");
        assert_eq!(claim.signature, s(e, "password_claim_signature"), "{id}: signature");

        let rc = e.get("respond_to_auth_challenge").unwrap().get("ChallengeResponses").unwrap();
        assert_eq!(s(rc, "PASSWORD_CLAIM_SIGNATURE"), claim.signature);
        assert_eq!(s(rc, "PASSWORD_CLAIM_SECRET_BLOCK"), ch.secret_block.as_str());
        assert_eq!(s(rc, "TIMESTAMP"), ts.as_str());
        assert_eq!(s(rc, "USERNAME"), s(c, "user_id_for_srp"), "{id}: response USERNAME is USER_ID_FOR_SRP");

        // pad(A), pad(B): checked through the hashed bytes.
        assert!(s(e, "A_padded_hex").ends_with(s(e, "A_hex")));
        assert!(s(e, "B_padded_hex").ends_with(s(e, "B_hex")));
        let pa = pad(&hex(s(e, "A_hex").as_bytes()));
        assert_eq!(hex_encode(&pa), s(e, "A_padded_hex"), "{id}: pad(A)");
        let pb = pad(&hex(s(e, "B_hex").as_bytes()));
        assert_eq!(hex_encode(&pb), s(e, "B_padded_hex"), "{id}: pad(B)");

        // The server side accepts the claim, and rejects the wrong-password one.
        let a_pub = SrpA::from_hex(s(ia, "SRP_A")).unwrap();
        assert!(server.verify(&a_pub, &ver, pool.pool_name(), user.as_str(), &ch.secret_block, &ts, &claim.signature).unwrap());
        let wrong = s(e, "wrong_password_signature");
        assert!(!server.verify(&a_pub, &ver, pool.pool_name(), user.as_str(), &ch.secret_block, &ts, wrong).unwrap());
        let wrong_claim = password_claim(&eph, &pool, &user, &Password::new(password.expose().to_string() + "x"), &ch, &ts).unwrap();
        assert_eq!(wrong_claim.signature, wrong, "{id}: wrong-password signature");

        if id == "client_secret" {
            let (cid, sec) = (s(c, "client_id"), s(c, "client_secret"));
            assert_eq!(secret_hash(sec, s(c, "username"), cid), s(ia, "SECRET_HASH"));
            assert_eq!(secret_hash(sec, s(c, "username"), cid), s(e, "secret_hash_for_typed_username"));
            assert_eq!(secret_hash(sec, user.as_str(), cid), s(rc, "SECRET_HASH"));
            assert_eq!(secret_hash(sec, user.as_str(), cid), s(e, "secret_hash_for_user_id_for_srp"));
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn device_case() {
    let v = vectors();
    let c = v.get("device_case").unwrap();
    let e = c.get("expected").unwrap();
    let group = DeviceGroupKey::new(s(c, "device_group_key"));
    let device = DeviceKey::new(s(c, "device_key"));
    let pw_bytes: [u8; 40] = hex(s(c, "random_password_bytes_hex").as_bytes()).try_into().unwrap();
    let salt_bytes: [u8; 16] = hex(s(c, "salt_random_bytes_hex").as_bytes()).try_into().unwrap();
    let secrets = DeviceSecrets::from_random(&group, &device, &pw_bytes, &salt_bytes);
    assert_eq!(secrets.password.expose(), s(c, "random_password"));
    let cfg = e.get("confirm_device_DeviceSecretVerifierConfig").unwrap();
    assert_eq!(secrets.salt, s(cfg, "Salt"));
    assert_eq!(secrets.password_verifier, s(cfg, "PasswordVerifier"));
    assert_eq!(hex_encode(&base64_decode(&secrets.salt).unwrap()), s(e, "salt_padded_hex"));
    assert_eq!(hex_encode(&base64_decode(&secrets.password_verifier).unwrap()), s(e, "verifier_padded_hex"));

    // The leading-zero salt: 16 random bytes become 15.
    let lz = e.get("leading_zero_salt_example").unwrap();
    let lz_salt: [u8; 16] = hex(s(lz, "salt_random_bytes_hex").as_bytes()).try_into().unwrap();
    let lz_secrets = DeviceSecrets::from_random(&group, &device, &pw_bytes, &lz_salt);
    assert_eq!(lz_secrets.salt, s(lz, "Salt"));
    assert_eq!(lz_secrets.password_verifier, s(lz, "PasswordVerifier"));

    // DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER.
    let eph = ClientEphemeral::from_private(&hex(s(c, "a_hex").as_bytes())).unwrap();
    assert_eq!(eph.public().to_hex(), s(e, "A_hex"));
    let dsa = e.get("device_srp_auth_challenge_responses").unwrap();
    assert_eq!(s(dsa, "SRP_A"), eph.public().to_hex());
    assert_eq!(s(dsa, "DEVICE_KEY"), device.as_str());

    let v_dev = U3072::from_be_bytes(&base64_decode(&secrets.password_verifier).unwrap()).unwrap();
    let server = ServerEphemeral::new(&hex(s(c, "b_hex").as_bytes()), &v_dev).unwrap();
    assert_eq!(server.public().to_hex(), s(e, "B_hex"));
    let params = e.get("device_password_verifier_challenge_parameters").unwrap();
    let ch = VerifierChallenge::from_params(|k| params.str(k)).unwrap();
    let ts = SrpTimestamp::from_string(s(c, "timestamp"));
    let claim = device_claim(&eph, &group, &device, &secrets.password, &ch, &ts).unwrap();
    assert_eq!(hex_encode(&claim.u), s(e, "u_hex"));
    assert_eq!(hex_encode(&claim.x), s(e, "x_hex"));
    assert_eq!(u_hex(&claim.s), s(e, "S_hex"));
    assert_eq!(hex_encode(&claim.key), s(e, "hkdf_key_hex"));
    let resp = e.get("device_password_verifier_challenge_responses").unwrap();
    assert_eq!(claim.signature, s(resp, "PASSWORD_CLAIM_SIGNATURE"));
    assert_eq!(s(resp, "TIMESTAMP"), ts.as_str());
    let a_pub = SrpA::from_hex(&eph.public().to_hex()).unwrap();
    assert!(server.verify(&a_pub, &v_dev, group.as_str(), device.as_str(), &ch.secret_block, &ts, &claim.signature).unwrap());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn unsafe_server_values_are_refused() {
    let n_hex = unpadded_hex(&mont::N.to_be_bytes());
    assert_eq!(SrpB::from_hex(&n_hex), Err(SrpError::BModNZero));
    assert_eq!(SrpB::from_hex("0"), Err(SrpError::BModNZero));
    assert_eq!(SrpB::from_hex("00"), Err(SrpError::BModNZero));
    assert_eq!(SrpB::from_hex("xyz"), Err(SrpError::MalformedHex("SRP_B")));
    assert_eq!(SrpB::from_hex(""), Err(SrpError::MalformedHex("SRP_B")));
    assert_eq!(SrpB::from_hex(&"1".repeat(769)), Err(SrpError::OversizedHex("SRP_B")));
    assert_eq!(SrpB::from_hex(&"f".repeat(2000)), Err(SrpError::OversizedHex("SRP_B")));
    // 2N is still 0 mod N but does not fit 3072 bits: oversized, not silently reduced.
    assert!(SrpB::from_hex(&("1".to_string() + &"0".repeat(768))).is_err());
    // Leading zeros are fine.
    assert!(SrpB::from_hex(&("0000".to_string() + "ab")).is_ok());
    assert_eq!(Salt::from_hex(""), Err(SrpError::EmptySalt));
    assert_eq!(Salt::from_hex("zz"), Err(SrpError::MalformedHex("SALT")));
    assert_eq!(SecretBlock::from_base64("not base64!"), Err(SrpError::MalformedSecretBlock));
    assert_eq!(SrpA::from_hex(&n_hex), Err(SrpError::AModNZero));
    assert_eq!(ClientEphemeral::from_private(&[0, 0]).unwrap_err(), SrpError::WeakPrivateValue);
    assert_eq!(ClientEphemeral::from_private(&[1]).unwrap_err(), SrpError::WeakPrivateValue);
    let missing = VerifierChallenge::from_params(|k| (k != "SRP_B").then_some("ab"));
    assert_eq!(missing.unwrap_err(), SrpError::MissingParameter("SRP_B"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn timestamp_format_and_strict_parse() {
    // Day 1-9 unpadded, hours padded.
    assert_eq!(SrpTimestamp::from_unix(0).as_str(), "Thu Jan 1 00:00:00 UTC 1970");
    assert_eq!(SrpTimestamp::from_unix(951_782_400).as_str(), "Tue Feb 29 00:00:00 UTC 2000");
    assert_eq!(SrpTimestamp::from_unix(4_102_444_799).as_str(), "Thu Dec 31 23:59:59 UTC 2099");
    for secs in (0..4_000_000_000i64).step_by(86_400 * 37 + 3_601) {
        let t = SrpTimestamp::from_unix(secs);
        assert_eq!(SrpTimestamp::parse(t.as_str()), Some(secs), "{}", t.as_str());
    }
    for bad in [
        "Tue Sep 05 00:09:40 UTC 2018", // zero-padded day
        "Wed Sep 25 00:09:40 UTC 2018", // wrong weekday
        "Tue Sep 25 0:09:40 UTC 2018",
        "Tue Sep 25 24:00:00 UTC 2018",
        "Tue Sep 25 00:09:40 GMT 2018",
        "Tue Sep  25 00:09:40 UTC 2018",
        "Fri Feb 30 00:00:00 UTC 2024",
        "tue Sep 25 00:09:40 UTC 2018",
        "Tue Sep 25 00:09:40 UTC 18",
        "",
    ] {
        assert_eq!(SrpTimestamp::parse(bad), None, "{bad}");
    }
}

/// Deterministic byte stream (SplitMix64) so that failures reproduce.
struct Rng(u64);
impl Rng {
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
                let mut z = self.0;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
                (z ^ (z >> 31)) as u8
            })
            .collect()
    }
    fn text(&mut self, n: usize) -> String {
        const CH: &[char] = &['a', 'Z', '0', '!', ' ', 'é', '日', '🔑', '_', '@', '.'];
        self.bytes(n).iter().map(|b| CH[*b as usize % CH.len()]).collect()
    }
}

/// Random a, b, salts, usernames and passwords: the server (B = k·v + g^b, S = (A·v^u)^b)
/// agrees with the client's S, accepts its signature, and rejects a wrong password.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn client_and_server_agree_on_random_inputs() {
    let mut seed = [0u8; 8];
    getrandom::getrandom(&mut seed).unwrap();
    let seed = u64::from_le_bytes(seed);
    let mut rng = Rng(seed);
    let pool = UserPoolId::parse("eu-west-2_Prop3rty").unwrap();
    for round in 0..6 {
        let user = UserIdForSrp::new(rng.text(1 + round * 3));
        let password = Password::new(rng.text(8 + round));
        let salt = Salt::from_bytes(&rng.bytes(16));
        let v = verifier(&salt, pool.pool_name(), user.as_str(), password.expose());
        let eph = if round == 0 {
            ClientEphemeral::from_random(fresh()).unwrap()
        } else {
            ClientEphemeral::from_private(&rng.bytes(PRIVATE_BYTES)).unwrap()
        };
        let server =
            if round == 0 { ServerEphemeral::from_random(fresh(), &v).unwrap() } else { ServerEphemeral::new(&rng.bytes(32), &v).unwrap() };
        let block = SecretBlock::from_base64(&cognito_proto::codec::base64_encode(&rng.bytes(48))).unwrap();
        let ch = VerifierChallenge {
            salt: Salt::from_hex(&salt.to_hex()).unwrap(),
            srp_b: SrpB::from_hex(&server.public().to_hex()).unwrap(),
            secret_block: block.clone(),
        };
        let ts = SrpTimestamp::from_unix(1_700_000_000 + round as i64 * 86_400 * 3);
        let claim = password_claim(&eph, &pool, &user, &password, &ch, &ts).unwrap();
        let a_pub = SrpA::from_hex(&eph.public().to_hex()).unwrap();
        let u = compute_u(&a_pub, server.public()).unwrap();
        assert_eq!(server.premaster(&a_pub, &v, &u), claim.s, "seed {seed:#x} round {round}: S");
        assert!(
            server.verify(&a_pub, &v, pool.pool_name(), user.as_str(), &block, &ts, &claim.signature).unwrap(),
            "seed {seed:#x} round {round}: signature"
        );
        let wrong = Password::new(password.expose().to_string() + "!");
        let bad = password_claim(&eph, &pool, &user, &wrong, &ch, &ts).unwrap();
        assert!(!server.verify(&a_pub, &v, pool.pool_name(), user.as_str(), &block, &ts, &bad.signature).unwrap());
        // A different timestamp string also fails: the server signs exactly what it receives.
        let other_ts = SrpTimestamp::from_unix(1_700_000_001 + round as i64 * 86_400 * 3);
        assert!(!server.verify(&a_pub, &v, pool.pool_name(), user.as_str(), &block, &other_ts, &claim.signature).unwrap());
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn generated_private_values_are_fresh_and_redacted() {
    const { assert!(PRIVATE_BYTES * 8 >= 275, "RFC 7919 §5.2 for the 3072-bit group") };
    let a = ClientEphemeral::from_random(fresh()).unwrap();
    let b = ClientEphemeral::from_random(fresh()).unwrap();
    assert_ne!(a.public().to_hex(), b.public().to_hex());
    assert!(format!("{a:?}").contains("redacted"));
    // The top bit is forced: a random `a` is always exactly 288 bits, even from zero bytes.
    let z = ClientEphemeral::from_random([0; PRIVATE_BYTES]).unwrap();
    assert_eq!(
        z.public().to_hex(),
        ClientEphemeral::from_private(&[&[0x80][..], &[0; PRIVATE_BYTES - 1]].concat()).unwrap().public().to_hex()
    );
}

/// Random bytes from the platform (the protocol crate draws none itself).
fn fresh<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).unwrap();
    b
}

/// The wasm SIMD kernel (mont3072/src/simd.rs, what the package runs) against the portable
/// one, which the native tests hold to num-bigint: random values, and the edges of the
/// carries (0, 1, N - 1, all limbs ones below N, R mod N).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[wasm_bindgen_test]
fn the_simd_kernel_equals_the_portable_kernel() {
    let n_minus_1 = mont::sub_mod(&U3072::ZERO, &U3072::from_u32(1));
    let mut ones = [0xffu8; 384];
    ones[0] = 0xfe; // below N, whose top 64 bits are ones
    let mut edges = vec![U3072::ZERO, U3072::from_u32(1), n_minus_1, U3072::from_be_bytes(&ones).unwrap().reduce()];
    edges.push(mont::to_mont(&U3072::from_u32(1)));
    let mut rng = Rng(0x5eed_3072);
    let random = (0..300).map(|_| U3072::from_be_bytes(&rng.bytes(384)).unwrap().reduce());
    let values: Vec<U3072> = edges.into_iter().chain(random).collect();
    for (i, a) in values.iter().enumerate() {
        let b = &values[(i * 7 + 3) % values.len()];
        assert_eq!(mont::mont_mul(a, b), mont::portable_mont_mul(a, b), "a·b, case {i}");
        assert_eq!(mont::mont_sqr(a), mont::portable_mont_sqr(a), "a², case {i}");
    }
}
