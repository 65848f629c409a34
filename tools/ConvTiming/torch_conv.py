import time, torch, torch.nn.functional as F
torch.set_num_threads(2)
import os
CPU = os.environ.get('CPUTIME') == '1'
L = [("conv1",3,227,96,11,4,0,1),("conv2",96,27,256,5,1,2,2),("conv3",256,13,384,3,1,1,1),("conv4",384,13,384,3,1,1,2),("conv5",384,13,256,3,1,1,2)]
for n in (16, 1):
    tot = [0,0,0]
    print(f"batch {n}: layer fwd ms GF/s | bwd-data ms GF/s | bwd-filter ms GF/s")
    for name,c,hw,k,rs,s,p,g in L:
        x = torch.randn(n,c,hw,hw, requires_grad=False); w = torch.randn(k,c//g,rs,rs); b = torch.randn(k)
        y = F.conv2d(x,w,b,s,p,1,g); dy = torch.randn_like(y)
        oh = y.shape[2]; fl = 2*n*k*oh*oh*(c//g)*rs*rs
        def best(f, reps=5):
            f(); t = 1e9
            for _ in range(reps):
                if CPU:
                    t0 = time.process_time(); f(); t = min(t, (time.process_time()-t0)/2)
                else:
                    t0 = time.perf_counter(); f(); t = min(t, time.perf_counter()-t0)
            return t
        tf = best(lambda: F.conv2d(x,w,b,s,p,1,g))
        td = best(lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, s, p, 1, g))
        tw = best(lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, s, p, 1, g))
        tot = [tot[0]+tf, tot[1]+td, tot[2]+tw]
        print(f"  {name} | {tf*1e3:8.1f} {fl/tf/1e9:6.1f} | {td*1e3:8.1f} {fl/td/1e9:6.1f} | {tw*1e3:8.1f} {fl/tw/1e9:6.1f}")
    print(f"  total ms: fwd {tot[0]*1e3:.1f}, bwd-data {tot[1]*1e3:.1f}, bwd-filter {tot[2]*1e3:.1f}")
