//! Mercado Pago's `authorization_code` flow in pieces that test alone: the
//! authorization URL, the redirect's query, and the token endpoint.

pub mod callback;
pub mod request;
pub mod token;
