//! The `lectern` binary: parse the command line and run.

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    match lectern::cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lectern: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
