
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mplink' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mplink'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mplink' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('authorize', 'authorize', [CompletionResultType]::ParameterValue, 'Link a seller: open the browser, receive the code, store the tokens')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'List links, or describe one')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a link''s access token, alone, on stdout')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Exchange a link''s refresh token for a new pair')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget a link''s tokens and metadata on this machine')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Store a token response read from stdin as a link')
            [CompletionResult]::new('app', 'app', [CompletionResultType]::ParameterValue, 'Remember your application''s settings (Client ID, Redirect URL, secret)')
            [CompletionResult]::new('relay-page', 'relay-page', [CompletionResultType]::ParameterValue, 'Print the relay page to host at your HTTPS Redirect URL')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mplink;authorize' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name for the link [default: the seller''s user id, plus -test for test credentials]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the seller, such as 90s or 5m')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Listen on this loopback HOST:PORT, for a Redirect URL that a tunnel (ngrok, cloudflared, an SSH forward) brings to this machine')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Your application''s Client ID (a number, also called APP_ID)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Mercado Pago''s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'The Redirect URL registered on your application, exactly as registered')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The country whose authorization host to use [default: auth.mercadopago.com]')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'The full authorization endpoint; overrides --site')
            [CompletionResult]::new('--pkce', '--pkce', [CompletionResultType]::ParameterName, 'PKCE S256, as set on your application in the dashboard [default: on]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('--test-token', '--test-token', [CompletionResultType]::ParameterName, 'Ask for test (sandbox) credentials; the seller must be a test user')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Print the URL instead of opening a browser')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout (no tokens in it)')
            [CompletionResult]::new('--relay', '--relay', [CompletionResultType]::ParameterName, 'Receive the code through the relay page hosted at the Redirect URL')
            [CompletionResult]::new('--paste', '--paste', [CompletionResultType]::ParameterName, 'Paste the address the browser lands on, instead of listening')
            [CompletionResult]::new('--no-pkce', '--no-pkce', [CompletionResultType]::ParameterName, 'Same as `--pkce off`, for applications without PKCE verification')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mplink;show' {
            [CompletionResult]::new('--within', '--within', [CompletionResultType]::ParameterName, 'The window for --check, such as 14d')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout: an array, or one object for LINK')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Show the tokens themselves instead of masking them')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 1 if a shown link has expired or expires within --within')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mplink;token' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mplink;refresh' {
            [CompletionResult]::new('--if-expiring-within', '--if-expiring-within', [CompletionResultType]::ParameterName, 'Only refresh links whose token expires within DUR, such as 30d')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Your application''s Client ID (a number, also called APP_ID)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Mercado Pago''s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Refresh every stored link, reporting each')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON on stdout')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Include the new tokens in the JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mplink;logout' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Forget every link')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mplink;import' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name for the link [default: the name in the JSON, else the seller''s user id]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mplink;app' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the saved settings, the secret masked')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Forget the saved settings and client secret')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mplink;app;set' {
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Your application''s Client ID (a number, also called APP_ID)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Mercado Pago''s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'The Redirect URL registered on your application, exactly as registered')
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'The country whose authorization host to use [default: auth.mercadopago.com]')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'The full authorization endpoint; overrides --site')
            [CompletionResult]::new('--pkce', '--pkce', [CompletionResultType]::ParameterName, 'PKCE S256, as set on your application in the dashboard [default: on]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('--no-secret', '--no-secret', [CompletionResultType]::ParameterName, 'Do not save (or ask for) the client secret')
            [CompletionResult]::new('--no-pkce', '--no-pkce', [CompletionResultType]::ParameterName, 'Same as `--pkce off`, for applications without PKCE verification')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mplink;app;show' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON on stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mplink;app;clear' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mplink;app;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the saved settings, the secret masked')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Forget the saved settings and client secret')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mplink;app;help;set' {
            break
        }
        'mplink;app;help;show' {
            break
        }
        'mplink;app;help;clear' {
            break
        }
        'mplink;app;help;help' {
            break
        }
        'mplink;relay-page' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mplink;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour messages [default: auto, off when NO_COLOR is set]')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where mplink keeps its files [default: the platform config dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir')
            [CompletionResult]::new('--keychain-timeout', '--keychain-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one keychain call [default: 3s]')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Longest wait for one request to Mercado Pago [default: 30s]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step on stderr (never shows secrets)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mplink;help' {
            [CompletionResult]::new('authorize', 'authorize', [CompletionResultType]::ParameterValue, 'Link a seller: open the browser, receive the code, store the tokens')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'List links, or describe one')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a link''s access token, alone, on stdout')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Exchange a link''s refresh token for a new pair')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget a link''s tokens and metadata on this machine')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Store a token response read from stdin as a link')
            [CompletionResult]::new('app', 'app', [CompletionResultType]::ParameterValue, 'Remember your application''s settings (Client ID, Redirect URL, secret)')
            [CompletionResult]::new('relay-page', 'relay-page', [CompletionResultType]::ParameterValue, 'Print the relay page to host at your HTTPS Redirect URL')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mplink;help;authorize' {
            break
        }
        'mplink;help;show' {
            break
        }
        'mplink;help;token' {
            break
        }
        'mplink;help;refresh' {
            break
        }
        'mplink;help;logout' {
            break
        }
        'mplink;help;import' {
            break
        }
        'mplink;help;app' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the saved settings, the secret masked')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Forget the saved settings and client secret')
            break
        }
        'mplink;help;app;set' {
            break
        }
        'mplink;help;app;show' {
            break
        }
        'mplink;help;app;clear' {
            break
        }
        'mplink;help;relay-page' {
            break
        }
        'mplink;help;completions' {
            break
        }
        'mplink;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
