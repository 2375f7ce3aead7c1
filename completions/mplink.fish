# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mplink_global_optspecs
    string join \n q/quiet v/verbose color= config-dir= store= keychain-timeout= http-timeout= h/help V/version
end

function __fish_mplink_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mplink_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mplink_using_subcommand
    set -l cmd (__fish_mplink_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mplink -n "__fish_mplink_needs_command" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_needs_command" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_needs_command" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_needs_command" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_needs_command" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_needs_command" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_needs_command" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_needs_command" -s V -l version -d 'Print version'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "authorize" -d 'Link a seller: open the browser, receive the code, store the tokens'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "show" -d 'List links, or describe one'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "token" -d 'Print a link\'s access token, alone, on stdout'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "refresh" -d 'Exchange a link\'s refresh token for a new pair'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "logout" -d 'Forget a link\'s tokens and metadata on this machine'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "import" -d 'Store a token response read from stdin as a link'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "app" -d 'Remember your application\'s settings (Client ID, Redirect URL, secret)'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "relay-page" -d 'Print the relay page to host at your HTTPS Redirect URL'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c mplink -n "__fish_mplink_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l name -d 'Name for the link [default: the seller\'s user id, plus -test for test credentials]' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l timeout -d 'How long to wait for the seller, such as 90s or 5m' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l listen -d 'Listen on this loopback HOST:PORT, for a Redirect URL that a tunnel (ngrok, cloudflared, an SSH forward) brings to this machine' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l client-id -d 'Your application\'s Client ID (a number, also called APP_ID)' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l api-url -d 'Mercado Pago\'s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l redirect-uri -d 'The Redirect URL registered on your application, exactly as registered' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l site -d 'The country whose authorization host to use [default: auth.mercadopago.com]' -r -f -a "ar\t''
br\t''
cl\t''
co\t''
mx\t''
pe\t''
uy\t''"
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l auth-url -d 'The full authorization endpoint; overrides --site' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l pkce -d 'PKCE S256, as set on your application in the dashboard [default: on]' -r -f -a "on\t''
off\t''"
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l test-token -d 'Ask for test (sandbox) credentials; the seller must be a test user'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l no-browser -d 'Print the URL instead of opening a browser'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l json -d 'Print the result as JSON on stdout (no tokens in it)'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l relay -d 'Receive the code through the relay page hosted at the Redirect URL'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l paste -d 'Paste the address the browser lands on, instead of listening'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -l no-pkce -d 'Same as `--pkce off`, for applications without PKCE verification'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand authorize" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand show" -l within -d 'The window for --check, such as 14d' -r
complete -c mplink -n "__fish_mplink_using_subcommand show" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand show" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand show" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand show" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand show" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand show" -l json -d 'Print JSON on stdout: an array, or one object for LINK'
complete -c mplink -n "__fish_mplink_using_subcommand show" -l reveal -d 'Show the tokens themselves instead of masking them'
complete -c mplink -n "__fish_mplink_using_subcommand show" -l check -d 'Exit 1 if a shown link has expired or expires within --within'
complete -c mplink -n "__fish_mplink_using_subcommand show" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand show" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand token" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand token" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand token" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand token" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand token" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand token" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand token" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l if-expiring-within -d 'Only refresh links whose token expires within DUR, such as 30d' -r
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l client-id -d 'Your application\'s Client ID (a number, also called APP_ID)' -r
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l api-url -d 'Mercado Pago\'s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]' -r
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l all -d 'Refresh every stored link, reporting each'
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l json -d 'Print the result as JSON on stdout'
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -l reveal -d 'Include the new tokens in the JSON'
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand refresh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand logout" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand logout" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand logout" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand logout" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand logout" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand logout" -l all -d 'Forget every link'
complete -c mplink -n "__fish_mplink_using_subcommand logout" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand logout" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand import" -l name -d 'Name for the link [default: the name in the JSON, else the seller\'s user id]' -r
complete -c mplink -n "__fish_mplink_using_subcommand import" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand import" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand import" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand import" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand import" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand import" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand import" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -f -a "set" -d 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt'
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -f -a "show" -d 'Print the saved settings, the secret masked'
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -f -a "clear" -d 'Forget the saved settings and client secret'
complete -c mplink -n "__fish_mplink_using_subcommand app; and not __fish_seen_subcommand_from set show clear help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l client-id -d 'Your application\'s Client ID (a number, also called APP_ID)' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l api-url -d 'Mercado Pago\'s API base; the token endpoint is <URL>/oauth/token [default: https://api.mercadopago.com]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l redirect-uri -d 'The Redirect URL registered on your application, exactly as registered' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l site -d 'The country whose authorization host to use [default: auth.mercadopago.com]' -r -f -a "ar\t''
br\t''
cl\t''
co\t''
mx\t''
pe\t''
uy\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l auth-url -d 'The full authorization endpoint; overrides --site' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l pkce -d 'PKCE S256, as set on your application in the dashboard [default: on]' -r -f -a "on\t''
off\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l no-secret -d 'Do not save (or ask for) the client secret'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -l no-pkce -d 'Same as `--pkce off`, for applications without PKCE verification'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -l json -d 'Print JSON on stdout'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from clear" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from clear" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from clear" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from clear" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from clear" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from clear" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from clear" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "set" -d 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the saved settings, the secret masked'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Forget the saved settings and client secret'
complete -c mplink -n "__fish_mplink_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mplink -n "__fish_mplink_using_subcommand relay-page" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand relay-page" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand relay-page" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand relay-page" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand relay-page" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand relay-page" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand relay-page" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand relay-page" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand completions" -l color -d 'When to colour messages [default: auto, off when NO_COLOR is set]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mplink -n "__fish_mplink_using_subcommand completions" -l config-dir -d 'Where mplink keeps its files [default: the platform config dir]' -r -F
complete -c mplink -n "__fish_mplink_using_subcommand completions" -l store -d 'Where tokens are kept: the OS keychain, or a 0600 file in the config dir' -r -f -a "keychain\t''
file\t''"
complete -c mplink -n "__fish_mplink_using_subcommand completions" -l keychain-timeout -d 'Longest wait for one keychain call [default: 3s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand completions" -l http-timeout -d 'Longest wait for one request to Mercado Pago [default: 30s]' -r
complete -c mplink -n "__fish_mplink_using_subcommand completions" -s q -l quiet -d 'Print nothing but errors on stderr'
complete -c mplink -n "__fish_mplink_using_subcommand completions" -s v -l verbose -d 'Explain each step on stderr (never shows secrets)'
complete -c mplink -n "__fish_mplink_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "authorize" -d 'Link a seller: open the browser, receive the code, store the tokens'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "show" -d 'List links, or describe one'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "token" -d 'Print a link\'s access token, alone, on stdout'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "refresh" -d 'Exchange a link\'s refresh token for a new pair'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "logout" -d 'Forget a link\'s tokens and metadata on this machine'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "import" -d 'Store a token response read from stdin as a link'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "app" -d 'Remember your application\'s settings (Client ID, Redirect URL, secret)'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "relay-page" -d 'Print the relay page to host at your HTTPS Redirect URL'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c mplink -n "__fish_mplink_using_subcommand help; and not __fish_seen_subcommand_from authorize show token refresh logout import app relay-page completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mplink -n "__fish_mplink_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "set" -d 'Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt'
complete -c mplink -n "__fish_mplink_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "show" -d 'Print the saved settings, the secret masked'
complete -c mplink -n "__fish_mplink_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "clear" -d 'Forget the saved settings and client secret'
