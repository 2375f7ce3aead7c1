
use builtin;
use str;

set edit:completion:arg-completer[mplink] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mplink'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mplink'= {
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand authorize 'Link a seller: open the browser, receive the code, store the tokens'
            cand show 'List links, or describe one'
            cand token 'Print a link''s access token, alone, on stdout'
            cand refresh 'Exchange a link''s refresh token for a new pair'
            cand logout 'Forget a link''s tokens and metadata on this machine'
            cand import 'Store a token response read from stdin as a link'
            cand app 'Remember your application''s settings (Client ID, Redirect URL, secret)'
            cand relay-page 'Print the relay page to host at your HTTPS Redirect URL'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mplink;authorize'= {
            cand --name 'Name for the link [default: the seller''s user id, plus -test for test credentials]'
            cand --timeout 'How long to wait for the seller, such as 90s or 5m'
            cand --listen 'Listen on this loopback HOST:PORT, for a Redirect URL that a tunnel (ngrok, cloudflared, an SSH forward) brings to this machine'
            cand --client-id 'Your application''s Client ID (a number, also called APP_ID)'
            cand --api-url 'Mercado Pago''s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]'
            cand --redirect-uri 'The Redirect URL registered on your application, exactly as registered'
            cand --site 'The country whose authorization host to use [default: auth.mercadopago.com]'
            cand --auth-url 'The full authorization endpoint; overrides --site'
            cand --pkce 'PKCE S256, as set on your application in the dashboard [default: on]'
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand --test-token 'Ask for test (sandbox) credentials; the seller must be a test user'
            cand --no-browser 'Print the URL instead of opening a browser'
            cand --json 'Print the result as JSON on stdout (no tokens in it)'
            cand --relay 'Receive the code through the relay page hosted at the Redirect URL'
            cand --paste 'Paste the address the browser lands on, instead of listening'
            cand --no-pkce 'Same as `--pkce off`, for applications without PKCE verification'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mplink;show'= {
            cand --within 'The window for --check, such as 14d'
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand --json 'Print JSON on stdout: an array, or one object for LINK'
            cand --reveal 'Show the tokens themselves instead of masking them'
            cand --check 'Exit 1 if a shown link has expired or expires within --within'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mplink;token'= {
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mplink;refresh'= {
            cand --if-expiring-within 'Only refresh links whose token expires within DUR, such as 30d'
            cand --client-id 'Your application''s Client ID (a number, also called APP_ID)'
            cand --api-url 'Mercado Pago''s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]'
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand --all 'Refresh every stored link, reporting each'
            cand --json 'Print the result as JSON on stdout'
            cand --reveal 'Include the new tokens in the JSON'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mplink;logout'= {
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand --all 'Forget every link'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mplink;import'= {
            cand --name 'Name for the link [default: the name in the JSON, else the seller''s user id]'
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mplink;app'= {
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand set 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt'
            cand show 'Print the saved settings, the secret masked'
            cand clear 'Forget the saved settings and client secret'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mplink;app;set'= {
            cand --client-id 'Your application''s Client ID (a number, also called APP_ID)'
            cand --api-url 'Mercado Pago''s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]'
            cand --redirect-uri 'The Redirect URL registered on your application, exactly as registered'
            cand --site 'The country whose authorization host to use [default: auth.mercadopago.com]'
            cand --auth-url 'The full authorization endpoint; overrides --site'
            cand --pkce 'PKCE S256, as set on your application in the dashboard [default: on]'
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand --no-secret 'Do not save (or ask for) the client secret'
            cand --no-pkce 'Same as `--pkce off`, for applications without PKCE verification'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mplink;app;show'= {
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand --json 'Print JSON on stdout'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mplink;app;clear'= {
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mplink;app;help'= {
            cand set 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt'
            cand show 'Print the saved settings, the secret masked'
            cand clear 'Forget the saved settings and client secret'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mplink;app;help;set'= {
        }
        &'mplink;app;help;show'= {
        }
        &'mplink;app;help;clear'= {
        }
        &'mplink;app;help;help'= {
        }
        &'mplink;relay-page'= {
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mplink;completions'= {
            cand --color 'When to colour messages [default: auto, off when NO_COLOR is set]'
            cand --config-dir 'Where mplink keeps its files [default: the platform config dir]'
            cand --store 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir'
            cand --keychain-timeout 'Longest wait for one keychain call [default: 3s]'
            cand --http-timeout 'Longest wait for one request to Mercado Pago [default: 30s]'
            cand -q 'Print nothing but errors on stderr'
            cand --quiet 'Print nothing but errors on stderr'
            cand -v 'Explain each step on stderr (never shows secrets)'
            cand --verbose 'Explain each step on stderr (never shows secrets)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mplink;help'= {
            cand authorize 'Link a seller: open the browser, receive the code, store the tokens'
            cand show 'List links, or describe one'
            cand token 'Print a link''s access token, alone, on stdout'
            cand refresh 'Exchange a link''s refresh token for a new pair'
            cand logout 'Forget a link''s tokens and metadata on this machine'
            cand import 'Store a token response read from stdin as a link'
            cand app 'Remember your application''s settings (Client ID, Redirect URL, secret)'
            cand relay-page 'Print the relay page to host at your HTTPS Redirect URL'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mplink;help;authorize'= {
        }
        &'mplink;help;show'= {
        }
        &'mplink;help;token'= {
        }
        &'mplink;help;refresh'= {
        }
        &'mplink;help;logout'= {
        }
        &'mplink;help;import'= {
        }
        &'mplink;help;app'= {
            cand set 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt'
            cand show 'Print the saved settings, the secret masked'
            cand clear 'Forget the saved settings and client secret'
        }
        &'mplink;help;app;set'= {
        }
        &'mplink;help;app;show'= {
        }
        &'mplink;help;app;clear'= {
        }
        &'mplink;help;relay-page'= {
        }
        &'mplink;help;completions'= {
        }
        &'mplink;help;help'= {
        }
    ]
    $completions[$command]
}
